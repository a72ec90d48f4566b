package postgres

// ChangeChannel exposes the NOTIFY channel name to the external tests.
var ChangeChannel = changeChannel

// HoldLanes takes every lane of the group commit, so that Updates queue up
// in one group until release.
func (s *Store) HoldLanes() (release func()) {
	for range cap(s.lanes) {
		s.lanes <- struct{}{}
	}
	return func() {
		for range cap(s.lanes) {
			<-s.lanes
		}
	}
}

// Forming is the number of Updates in the group still taking members.
func (s *Store) Forming() int {
	s.groupMu.Lock()
	defer s.groupMu.Unlock()
	if s.forming == nil {
		return 0
	}
	return len(s.forming.members)
}
