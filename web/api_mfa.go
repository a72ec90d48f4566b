package web

import (
	"net/http"
	"time"
)

type mfaMethodJSON struct {
	ID          string    `json:"id"`
	Type        string    `json:"type"`
	CreatedAt   time.Time `json:"createdDateTime"`
	ConfirmedAt time.Time `json:"confirmedDateTime"`
}

func (s *Server) apiListMFAMethods(w http.ResponseWriter, r *http.Request) {
	ms, err := s.svc.GuestMFAMethods(r.Context(), adminOf(r), r.PathValue("tid"), r.PathValue("id"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := []mfaMethodJSON{}
	for _, m := range ms {
		out = append(out, mfaMethodJSON{ID: m.ID, Type: string(m.Kind), CreatedAt: m.CreatedAt.UTC(), ConfirmedAt: m.ConfirmedAt.UTC()})
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
}

func (s *Server) apiResetMFA(w http.ResponseWriter, r *http.Request) {
	n, err := s.svc.ResetGuestMFA(r.Context(), adminOf(r), r.PathValue("tid"), r.PathValue("id"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": true, "removedMethods": n})
}
