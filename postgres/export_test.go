package postgres

// ChangeChannel exposes the NOTIFY channel name to the external tests.
var ChangeChannel = changeChannel
