package bench

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/internal/servertest"
)

// BenchmarkSendCode measures Service.SendCode on the real SQLite store,
// without HTTP, across parallel callers: the cost of one Send code press.
func BenchmarkSendCode(b *testing.B) {
	env := servertest.New(b, servertest.Options{RealClock: true})
	t, err := env.Svc.CreateTenantLocal(b.Context(), &guestpass.Tenant{DisplayName: "Bench"})
	if err != nil {
		b.Fatal(err)
	}
	const guests = 400
	for i := range guests {
		if _, err := env.Svc.InviteLocal(b.Context(), t.ID, guestpass.InviteRequest{Email: fmt.Sprintf("g%d@fabrikam.example", i)}); err != nil {
			b.Fatal(err)
		}
	}
	var n atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			_, err := env.Svc.SendCode(b.Context(), guestpass.SendCodeRequest{TenantID: t.ID,
				Email:  fmt.Sprintf("g%d@fabrikam.example", i%guests),
				Client: guestpass.Client{IP: fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)}})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}
