package intune

import (
	"os"
	"testing"

	"github.com/mdmforge/mdmforge/internal/fakegraph"
	"github.com/mdmforge/mdmforge/profiles"
)

func TestSmoke(t *testing.T) {
	e := newEnv(t, fakegraph.Options{}).tenant()
	ps := []*profiles.Policy{policy(t, "contacts.yaml")}
	p := e.plan(ps, Options{})
	p.Render(os.Stdout, "text")
	r := e.apply(ps, Options{})
	t.Logf("%+v", r)
	p = e.plan(ps, Options{})
	p.Render(os.Stdout, "text")
	e.srv.ResetLog()
	r = e.apply(ps, Options{})
	t.Logf("%+v writes=%d", r, e.srv.Writes())
}
