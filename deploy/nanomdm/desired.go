package nanomdm

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/mdmforge/mdmforge/deploy"
	"github.com/mdmforge/mdmforge/profiles"
	"github.com/mdmforge/mdmforge/profiles/roster"
	"github.com/mdmforge/mdmforge/signing"
)

// Profile is one finished profile and the enrollments it goes to.
type Profile struct {
	// Policy is the policy file; Identifier its profile identifier; Name
	// the profile's display name.
	Policy, Identifier, Name string
	// User is the roster user the profile was built for ("" when one
	// profile goes to every enrollment of the policy).
	User string
	// Data is the unsigned .mobileconfig; Signed the signed one, nil
	// unless signed. The signed bytes are what is queued when present.
	Data, Signed []byte
	// EnrollmentIDs are the enrollments it goes to.
	EnrollmentIDs []string
}

// sent returns the bytes queued.
func (p *Profile) sent() []byte {
	if p.Signed != nil {
		return p.Signed
	}
	return p.Data
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// BuildOptions say how profiles are built for NanoMDM.
type BuildOptions struct {
	// Signer, when set, signs each profile at SignedAt; the signed bytes
	// are queued.
	Signer   *signing.Identity
	SignedAt time.Time
}

// EnrollmentColumn is the roster column of a user's enrollment ids.
const EnrollmentColumn = "enrollment_id"

// checkID reports what is wrong with an enrollment id: NanoMDM's API
// takes ids comma-separated in the URL path.
func checkID(id string) string {
	switch {
	case strings.TrimSpace(id) == "":
		return "an enrollment id is empty"
	case strings.ContainsAny(id, ",/?#%\\"):
		return fmt.Sprintf("%q is not an enrollment id: NanoMDM's API lists ids in the URL path, comma-separated, so none may hold , / ? # %% or \\", id)
	case strings.IndexFunc(id, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return fmt.Sprintf("%q is not an enrollment id: it holds a space or a control character", id)
	case len(id) > 255:
		return "an enrollment id is longer than NanoMDM's 255 characters"
	}
	return ""
}

// FromPolicies builds each policy's profile for NanoMDM, to the
// enrollment ids of its assignments.include. A policy without an
// assignments section, with exclude, or whose profile uses variables is a
// problem; every problem is returned together in a *deploy.ProblemsError
// before any profile is built for nothing. A policy that compiles into no
// profile (Outlook's settings only) is skipped with a note.
func FromPolicies(policies []*profiles.Policy, o BuildOptions) ([]Profile, []string, error) {
	var out []Profile
	var notes []string
	var probs profiles.Diagnostics
	for _, p := range policies {
		if p.Exchange == nil && p.Restrictions == nil && len(p.Payloads) == 0 {
			notes = append(notes, fmt.Sprintf("%s builds no configuration profile, so nothing goes to NanoMDM", p.File))
			continue
		}
		if p.Outlook != nil {
			notes = append(notes, fmt.Sprintf("%s: Outlook's app configuration (%s.outlook.plist) is not queued: it goes with the app, which mdmforge does not install through NanoMDM", p.File, p.Profile.Name))
		}
		probs = append(probs, p.CheckTarget(profiles.NanoMDM)...)
		a := p.Assignments
		switch {
		case a == nil || len(a.Include) == 0:
			probs = append(probs, profiles.Diagnostic{Severity: profiles.Error, Path: "assignments.include", Pos: p.Pos("assignments"),
				Message: "lists no enrollment: for NanoMDM, write the enrollment ids (device UDIDs or user-channel ids) the profile goes to, or build one profile per user with --roster and its enrollment_id column"})
		default:
			for i, id := range a.Include {
				if msg := checkID(id); msg != "" {
					path := fmt.Sprintf("assignments.include[%d]", i)
					probs = append(probs, profiles.Diagnostic{Severity: profiles.Error, Path: path, Pos: p.Pos(path), Message: msg})
				}
			}
		}
		if a != nil && len(a.Exclude) > 0 {
			probs = append(probs, profiles.Diagnostic{Severity: profiles.Error, Path: "assignments.exclude", Pos: p.Pos("assignments.exclude"),
				Message: "NanoMDM has no groups to exclude from: list only the enrollments the profile goes to, in include"})
		}
	}
	if err := dupIdentifiers(policies); err != nil {
		probs = append(probs, err...)
	}
	if len(probs) > 0 {
		probs.Sort()
		return nil, nil, &deploy.ProblemsError{Diagnostics: probs}
	}
	for _, p := range policies {
		if p.Exchange == nil && p.Restrictions == nil && len(p.Payloads) == 0 {
			continue
		}
		data, err := p.Mobileconfig(profiles.Options{Target: profiles.NanoMDM})
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", p.File, err)
		}
		prof := Profile{Policy: p.File, Identifier: p.Profile.Identifier, Name: displayName(p), Data: data,
			EnrollmentIDs: append([]string(nil), p.Assignments.Include...)}
		if o.Signer != nil {
			if prof.Signed, err = o.Signer.Sign(data, o.SignedAt); err != nil {
				return nil, nil, fmt.Errorf("%s: signing: %w", p.File, err)
			}
		}
		out = append(out, prof)
	}
	return out, notes, nil
}

func dupIdentifiers(policies []*profiles.Policy) profiles.Diagnostics {
	var probs profiles.Diagnostics
	first := map[string]*profiles.Policy{}
	for _, p := range policies {
		if prev, ok := first[p.Profile.Identifier]; ok {
			probs = append(probs, profiles.Diagnostic{Severity: profiles.Error, Path: "profile.identifier", Pos: p.Pos("profile.identifier"),
				Message: fmt.Sprintf("%q is also the identifier of %s: a device keeps one profile per identifier, so one would replace the other", p.Profile.Identifier, prev.File)})
			continue
		}
		first[p.Profile.Identifier] = p
	}
	return probs
}

func displayName(p *profiles.Policy) string {
	if p.Profile.DisplayName != "" {
		return p.Profile.DisplayName
	}
	return p.Profile.Name
}

// keyColumns are the roster columns a user is named by in plans, in
// order of preference, as build --roster names users' files.
var keyColumns = []string{"upn", "email", "id", "shortname", "name"}

// FromRoster builds one profile per roster user from the policy, each to
// the enrollment ids of the user's enrollment_id column (several
// separated by spaces or semicolons). Every bad row is reported, with its
// line, in a *deploy.ProblemsError: no enrollment id, values the profile
// cannot take, a duplicate user, an enrollment id of two users. The
// roster, named name in findings, is read once, and every user's profile is kept in memory until
// the apply.
func FromRoster(p *profiles.Policy, r *roster.Reader, name string, o BuildOptions) ([]Profile, error) {
	tmpl, err := p.Template()
	if err != nil {
		return nil, err
	}
	var probs profiles.Diagnostics
	problem := func(line int, format string, args ...any) {
		probs = append(probs, profiles.Diagnostic{Severity: profiles.Error, Pos: profiles.Pos{File: name, Line: line}, Message: fmt.Sprintf(format, args...)})
	}
	if a := p.Assignments; a != nil && (len(a.Include) > 0 || len(a.Exclude) > 0) {
		probs = append(probs, profiles.Diagnostic{Severity: profiles.Error, Path: "assignments", Pos: p.Pos("assignments"),
			Message: "a per-user build sends each user's profile to the user's enrollment_id column; remove the policy's assignments, which would send every user's profile to the same enrollments"})
	}
	var out []Profile
	users := map[string]int{} // user → line
	owner := map[string]int{} // enrollment id → line
	key := ""
	rows := 0
	for {
		row, err := r.Next()
		if err == io.EOF {
			break
		}
		var syntax *roster.SyntaxError
		if errors.As(err, &syntax) || err != nil && row.Line == 0 {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		rows++
		if err != nil {
			problem(row.Line, "%v", err)
			continue
		}
		if key == "" {
			for _, k := range keyColumns {
				if _, ok := row.Values[k]; ok {
					key = k
					break
				}
			}
		}
		user := row.Values[key]
		if key == "" || strings.TrimSpace(user) == "" {
			problem(row.Line, "no user: the roster needs one of the columns %s to name the user in plans", strings.Join(keyColumns, ", "))
			continue
		}
		if line, dup := users[user]; dup {
			problem(row.Line, "duplicate user %q (%s), first on line %d", user, key, line)
			continue
		}
		users[user] = row.Line
		ids := strings.FieldsFunc(row.Values[EnrollmentColumn], func(r rune) bool { return r == ';' || unicode.IsSpace(r) })
		if len(ids) == 0 {
			problem(row.Line, "no %s: the user's profile would go nowhere", EnrollmentColumn)
			continue
		}
		bad := false
		for _, id := range ids {
			if msg := checkID(id); msg != "" {
				problem(row.Line, "%s: %s", EnrollmentColumn, msg)
				bad = true
			} else if line, taken := owner[id]; taken {
				problem(row.Line, "%s %s is also the enrollment of the user on line %d: one enrollment keeps one profile per identifier", EnrollmentColumn, id, line)
				bad = true
			} else {
				owner[id] = row.Line
			}
		}
		if err := tmpl.CheckValues(row.Values); err != nil {
			problem(row.Line, "%v", err)
			bad = true
		}
		if bad || len(probs) > 0 {
			continue // once a row is bad nothing is built, but every row is still checked
		}
		data, err := tmpl.Render(row.Values)
		if err != nil {
			problem(row.Line, "%v", err)
			continue
		}
		prof := Profile{Policy: p.File, Identifier: p.Profile.Identifier, Name: displayName(p), User: user, Data: data, EnrollmentIDs: ids}
		if o.Signer != nil {
			if prof.Signed, err = o.Signer.Sign(data, o.SignedAt); err != nil {
				return nil, fmt.Errorf("%s:%d: signing: %w", name, row.Line, err)
			}
		}
		out = append(out, prof)
	}
	if rows == 0 && len(probs) == 0 {
		return nil, fmt.Errorf("%s: the roster has no users", name)
	}
	if len(probs) > 0 {
		return nil, &deploy.ProblemsError{Diagnostics: probs, Hints: []string{"nothing was queued; fix the roster and plan again"}}
	}
	return out, nil
}
