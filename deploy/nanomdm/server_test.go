package nanomdm

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/micromdm/nanolib/log"
	"github.com/micromdm/nanomdm/cryptoutil"
	httpapi "github.com/micromdm/nanomdm/http/api"
	httpmdm "github.com/micromdm/nanomdm/http/mdm"
	"github.com/micromdm/nanomdm/mdm"
	"github.com/micromdm/nanomdm/service"
	"github.com/micromdm/nanomdm/service/certauth"
	svcnano "github.com/micromdm/nanomdm/service/nanomdm"
	"github.com/micromdm/nanomdm/storage"
	"github.com/micromdm/nanomdm/storage/inmem"
	"github.com/micromdm/nanomdm/test/enrollment"
	"github.com/micromdm/plist"
)

const testAPIKey = "s3cret-api-key"

// server is a real NanoMDM v0.9.0, in process: in-memory storage,
// certificate auth, the Mdm-Signature middleware, and its API behind
// Basic auth as cmd/nanomdm sets it up.
type server struct {
	t     testing.TB
	srv   *httptest.Server
	store storage.AllStorage
	// enqueues counts the API's enqueue requests that reached NanoMDM.
	mu       sync.Mutex
	enqueues int
	// intercept, when set, may answer an API request instead of NanoMDM,
	// after letting NanoMDM handle it into w (forward) or not; it returns
	// false to let NanoMDM answer as usual.
	intercept func(w http.ResponseWriter, r *http.Request, forward func(http.ResponseWriter)) bool
}

// storeWithKnownIDs refuses to enqueue for an enrollment it does not
// know, as NanoMDM's SQL storages do through a foreign key.
type storeWithKnownIDs struct {
	storage.AllStorage
	mu    sync.Mutex
	known map[string]bool
}

func (s *storeWithKnownIDs) EnqueueCommand(ctx context.Context, ids []string, cmd *mdm.Command) (map[string]error, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		if !s.known[id] {
			return nil, errors.New("Error 1452 (23000): Cannot add or update a child row: a foreign key constraint fails (`nanomdm`.`enrollment_queue`, CONSTRAINT `enrollment_queue_ibfk_1` FOREIGN KEY (`id`) REFERENCES `enrollments` (`id`))")
		}
	}
	return s.AllStorage.EnqueueCommand(ctx, ids, cmd)
}

func newServer(t testing.TB, sqlLike bool) *server {
	t.Helper()
	s := &server{t: t}
	var store storage.AllStorage = inmem.New()
	var known *storeWithKnownIDs
	if sqlLike {
		known = &storeWithKnownIDs{AllStorage: store, known: map[string]bool{}}
		store = known
	}
	s.store = store
	logger := log.NopLogger
	var svc service.CheckinAndCommandService = svcnano.New(store, svcnano.WithLogger(logger))
	svc = certauth.New(svc, store, certauth.WithLogger(logger))
	if known != nil {
		svc = &recordEnrollments{CheckinAndCommandService: svc, s: known}
	}
	mux := http.NewServeMux()
	mdmMux := http.NewServeMux()
	mdmMux.Handle("/mdm", httpmdm.CheckinAndCommandHandler(svc, logger))
	mux.Handle("/mdm", httpmdm.CertExtractMdmSignatureMiddleware(mdmMux, httpmdm.MdmSignatureVerifierFunc(cryptoutil.VerifyMdmSignature)))
	api := http.NewServeMux()
	httpapi.HandleAPIv1("/v1", api, logger, store, nil)
	mux.Handle("/v1/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user != "nanomdm" || pass != testAPIKey {
			w.Header().Set("Www-Authenticate", `Basic realm="nanomdm"`)
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		forward := func(w http.ResponseWriter) {
			if strings.HasPrefix(r.URL.Path, "/v1/enqueue/") && r.URL.Path != "/v1/enqueue/" {
				s.mu.Lock()
				s.enqueues++
				s.mu.Unlock()
			}
			api.ServeHTTP(w, r)
		}
		if s.intercept != nil && s.intercept(w, r, forward) {
			return
		}
		forward(w)
	}))
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

// recordEnrollments tells the SQL-like store of each enrolled device.
type recordEnrollments struct {
	service.CheckinAndCommandService
	s *storeWithKnownIDs
}

func (r *recordEnrollments) TokenUpdate(req *mdm.Request, m *mdm.TokenUpdate) error {
	if err := r.CheckinAndCommandService.TokenUpdate(req, m); err != nil {
		return err
	}
	r.s.mu.Lock()
	r.s.known[m.UDID] = true
	r.s.mu.Unlock()
	return nil
}

func (s *server) enqueueCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.enqueues
}

// config is the Config of the server, as the environment would give it.
func (s *server) config(key string) Config {
	u, _ := url.Parse(s.srv.URL)
	return Config{URL: u, APIKey: key, NoPush: true}
}

func (s *server) client(key string) *Client {
	c := NewClient(s.config(key), s.srv.Client())
	c.sleep = func(context.Context, time.Duration) error { return nil }
	return c
}

// device is a simulated device enrolled as NanoMDM's own tests enroll
// one: Authenticate, then TokenUpdate, each check-in signed with the
// device's identity (Mdm-Signature).
func (s *server) device() *enrollment.Enrollment {
	s.t.Helper()
	d, err := enrollment.NewRandomDeviceEnrollment(s.srv.Client(), "com.apple.mgmt.External.test", s.srv.URL+"/mdm", "")
	if err != nil {
		s.t.Fatal(err)
	}
	if err := d.DoEnroll(context.Background()); err != nil {
		s.t.Fatal(err)
	}
	return d
}

// next has the device report Idle and returns the command NanoMDM hands
// it, nil when its queue is empty. The device acknowledges nothing, so
// the command stays first in its queue until ack.
func next(t testing.TB, d *enrollment.Enrollment) *mdm.Command {
	t.Helper()
	return report(t, d, "", "Idle")
}

func report(t testing.TB, d *enrollment.Enrollment, cmdUUID, status string) *mdm.Command {
	t.Helper()
	r := &mdm.CommandResults{Enrollment: *d.GetEnrollment(), CommandUUID: cmdUUID, Status: status}
	body, err := plist.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := d.DoReportAndFetch(context.Background(), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("report %s: %s: %s", status, resp.Status, data)
	}
	if len(data) == 0 {
		return nil
	}
	cmd, err := mdm.DecodeCommand(data)
	if err != nil {
		t.Fatalf("decoding the command: %v\n%s", err, data)
	}
	return cmd
}

// installed returns the payload of the InstallProfile the device gets
// next, acknowledging it, and fails unless that is the command.
func installed(t testing.TB, d *enrollment.Enrollment) []byte {
	t.Helper()
	cmd := next(t, d)
	if cmd == nil {
		t.Fatalf("device %s got no command, want InstallProfile", d.ID())
	}
	if cmd.Command.RequestType != "InstallProfile" {
		t.Fatalf("device %s got %s, want InstallProfile", d.ID(), cmd.Command.RequestType)
	}
	var body struct {
		Command struct{ Payload []byte }
	}
	if err := plist.Unmarshal(cmd.Raw, &body); err != nil {
		t.Fatal(err)
	}
	if after := report(t, d, cmd.CommandUUID, "Acknowledged"); after != nil {
		t.Fatalf("device %s got a second command %s (%s) after acknowledging the first", d.ID(), after.Command.RequestType, after.CommandUUID)
	}
	return body.Command.Payload
}
