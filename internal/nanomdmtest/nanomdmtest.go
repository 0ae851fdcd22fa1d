// Package nanomdmtest runs a real NanoMDM (github.com/micromdm/nanomdm
// v0.9.0) in process for tests, with simulated devices enrolled as
// NanoMDM's own test/enrollment package enrolls them: Authenticate, then
// TokenUpdate, each check-in signed with the device's identity in the
// Mdm-Signature header. Tests only: mdmforge itself talks plain HTTP to
// NanoMDM and links none of it.
package nanomdmtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

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

// APIKey is the key the server's API takes, as the password of the user
// nanomdm (cmd/nanomdm's -api).
const APIKey = "s3cret-api-key"

// Options choose the server's storage.
type Options struct {
	// SQLLike refuses to enqueue for an enrollment the server does not
	// know, the whole request at once, as NanoMDM's MySQL and PostgreSQL
	// storages do through a foreign key; the default in-memory storage
	// queues for any id.
	SQLLike bool
}

// Server is NanoMDM in process: in-memory storage, certificate auth, the
// Mdm-Signature middleware on /mdm, and its API under /v1 behind Basic
// auth, as cmd/nanomdm sets them up (without APNs: no push certificate).
type Server struct {
	URL string
	srv *httptest.Server

	mu       sync.Mutex
	enqueues int
	// Intercept, when set, sees every authenticated API request first. It
	// may let NanoMDM handle it into any writer (forward), then answer
	// itself, and returns true when it answered.
	Intercept func(w http.ResponseWriter, r *http.Request, forward func(http.ResponseWriter)) bool
}

// New starts a server; Close stops it.
func New(o Options) *Server {
	s := &Server{}
	var store storage.AllStorage = inmem.New()
	var known *knownIDs
	if o.SQLLike {
		known = &knownIDs{AllStorage: store, known: map[string]bool{}}
		store = known
	}
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
		if !ok || user != "nanomdm" || pass != APIKey {
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
		if s.Intercept != nil && s.Intercept(w, r, forward) {
			return
		}
		forward(w)
	}))
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Client is an HTTP client of the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Enqueues counts the enqueue requests naming enrollments that reached
// NanoMDM.
func (s *Server) Enqueues() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.enqueues
}

// knownIDs refuses a request naming an enrollment it does not know.
type knownIDs struct {
	storage.AllStorage
	mu    sync.Mutex
	known map[string]bool
}

func (s *knownIDs) EnqueueCommand(ctx context.Context, ids []string, cmd *mdm.Command) (map[string]error, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		if !s.known[id] {
			return nil, errors.New("Error 1452 (23000): Cannot add or update a child row: a foreign key constraint fails (`nanomdm`.`enrollment_queue`, CONSTRAINT `enrollment_queue_ibfk_1` FOREIGN KEY (`id`) REFERENCES `enrollments` (`id`))")
		}
	}
	return s.AllStorage.EnqueueCommand(ctx, ids, cmd)
}

// recordEnrollments tells knownIDs of each enrolled device.
type recordEnrollments struct {
	service.CheckinAndCommandService
	s *knownIDs
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

// Device is a simulated, enrolled device.
type Device struct{ e *enrollment.Enrollment }

// Enroll enrolls a new device with a random UDID and a self-signed
// identity.
func (s *Server) Enroll() (*Device, error) {
	e, err := enrollment.NewRandomDeviceEnrollment(s.srv.Client(), "com.apple.mgmt.External.test", s.srv.URL+"/mdm", "")
	if err != nil {
		return nil, err
	}
	if err := e.DoEnroll(context.Background()); err != nil {
		return nil, err
	}
	return &Device{e: e}, nil
}

// ID is the device's enrollment id (its UDID).
func (d *Device) ID() string { return d.e.ID() }

// Report sends a command report (Status Idle with no UUID to ask for
// work) and returns the command NanoMDM answers with, nil for none.
func (d *Device) Report(cmdUUID, status string) (*mdm.Command, error) {
	r := &mdm.CommandResults{Enrollment: *d.e.GetEnrollment(), CommandUUID: cmdUUID, Status: status}
	body, err := plist.Marshal(r)
	if err != nil {
		return nil, err
	}
	resp, err := d.e.DoReportAndFetch(context.Background(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("report %s: %s: %s", status, resp.Status, data)
	}
	if len(data) == 0 {
		return nil, nil
	}
	return mdm.DecodeCommand(data)
}

// Command is a command a device got, decoded.
type Command struct {
	UUID        string
	RequestType string
	// Payload is InstallProfile's profile; Identifier RemoveProfile's.
	Payload    []byte
	Identifier string
}

// Next has the device report Idle and acknowledge the command it gets,
// which it returns (nil for none). It fails if NanoMDM hands the device
// another command right after the acknowledgement: tests that a command
// was queued once.
func (d *Device) Next() (*Command, error) {
	cmd, err := d.Report("", "Idle")
	if err != nil || cmd == nil {
		return nil, err
	}
	var body struct {
		Command struct {
			Payload    []byte
			Identifier string
		}
	}
	if err := plist.Unmarshal(cmd.Raw, &body); err != nil {
		return nil, err
	}
	c := &Command{UUID: cmd.CommandUUID, RequestType: cmd.Command.RequestType, Payload: body.Command.Payload, Identifier: body.Command.Identifier}
	after, err := d.Report(cmd.CommandUUID, "Acknowledged")
	if err != nil {
		return nil, err
	}
	if after != nil {
		return c, fmt.Errorf("device %s got a second command %s (%s) after acknowledging %s", d.ID(), after.Command.RequestType, after.CommandUUID, c.UUID)
	}
	return c, nil
}
