package guestpass

import "encoding/json"

// encodeMessage is the sealed payload format of a queued message. JSON keeps
// jobs readable by a newer version after an upgrade.
func encodeMessage(m *Message) ([]byte, error) { return json.Marshal(m) }

func decodeMessage(b []byte) (*Message, error) {
	var m Message
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return &m, nil
}
