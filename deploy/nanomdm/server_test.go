package nanomdm

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/mdmforge/mdmforge/internal/nanomdmtest"
)

const testAPIKey = nanomdmtest.APIKey

// server is a real NanoMDM in process (internal/nanomdmtest).
type server struct {
	*nanomdmtest.Server
	t testing.TB
}

func newServer(t testing.TB, sqlLike bool) *server {
	t.Helper()
	s := nanomdmtest.New(nanomdmtest.Options{SQLLike: sqlLike})
	t.Cleanup(s.Close)
	return &server{Server: s, t: t}
}

// client is a client of the server with key, whose waits are not slept.
func (s *server) client(key string) *Client {
	u, _ := url.Parse(s.URL)
	c := NewClient(Config{URL: u, APIKey: key, NoPush: true}, s.Client())
	c.sleep = func(context.Context, time.Duration) error { return nil }
	return c
}

func (s *server) device() *nanomdmtest.Device {
	s.t.Helper()
	d, err := s.Enroll()
	if err != nil {
		s.t.Fatal(err)
	}
	return d
}

// next is the command the device gets next, acknowledged; nil for none.
func next(t testing.TB, d *nanomdmtest.Device) *nanomdmtest.Command {
	t.Helper()
	c, err := d.Next()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// installed is the payload of the InstallProfile the device gets next.
func installed(t testing.TB, d *nanomdmtest.Device) []byte {
	t.Helper()
	c := next(t, d)
	if c == nil || c.RequestType != "InstallProfile" {
		t.Fatalf("device %s got %+v, want InstallProfile", d.ID(), c)
	}
	return c.Payload
}
