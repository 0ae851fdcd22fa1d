package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mdmforge/mdmforge/profiles"
	"github.com/mdmforge/mdmforge/profiles/diff"
	"github.com/mdmforge/mdmforge/signing"
	"github.com/spf13/cobra"
	"howett.net/plist"
)

// diffTrouble is diff(1)'s exit code for trouble: a wrong command line or an
// input that cannot be read or compared. 1 means the inputs differ.
const diffTrouble = 2

const formatMarkdownDiff = "markdown"

type diffOptions struct {
	IO     *IO
	Before string
	After  string
	Format string
	UUIDs  bool
	Target targetFlag
}

func newDiffCmd(streams *IO, runF func(*diffOptions) error) *cobra.Command {
	opts := &diffOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "diff BEFORE AFTER",
		Short: "Show what changes between two policies, profiles or output folders, and what devices do about it",
		Long: `Diff shows what changes between two versions of what mdmforge deploys, and
what devices do about it: the review of a change before it reaches them.

Each side is a policy file or a folder of policies (validated and built as
build would, for each policy's target or --target, Intune bundle included),
a built file (.mobileconfig, signed or not; .plist; .json), or a folder of
built files with its subfolders (NAME.intune/, per-user NAME/). Files are
matched by their path in the folder. A policy against the folder it was
built into is compared with the files build writes for it there
(NAME.mobileconfig, NAME.outlook.plist, NAME.intune/, and the
NAME.outlook.json older builds wrote);
a single file against a policy or folder with the output of its name.
build's manifest.json is left out: it changes whenever the outputs do.
In folders, links to files are followed; links to folders and special
files such as named pipes are skipped with a warning.

Profiles are compared as property lists: the top level, then payloads
matched by PayloadIdentifier, so reordering is not a change; values by value
and type (integer 1 and real 1.0 differ), at any depth, arrays by index; and
the signer certificate of signed profiles. PayloadUUID changes are hidden
unless --uuids is given, but a payload with a new UUID is still reported as
installed anew. JSON files are compared as JSON, the named settings lists
(customSettings, settings, managedProperty) by name, the profile inside
Intune's custom.json as a profile; .plist files as property lists; other
files by SHA-256. An edit to a policy built for Intune is shown once, in
NAME.mobileconfig: NAME.intune/custom.json and email.json, which repeat it,
get one line each ("carries the NAME.mobileconfig change above") unless
they differ in something else too, and the bundle's README.md is left out.

Secrets are never shown, in any format: a changed password, pre-shared key,
SCEP challenge or private key reads <secret, changed>, and JSON marks such
changes "redacted": true instead of giving the values.

Changes devices feel get a consequence line, marked "!": users signing in to
the Exchange account again, a second profile installed beside the old one,
payloads installed, removed or installed anew, a signing identity that a
manual re-install rejects.

Formats: text (by file and payload; + added, - removed, ~ changed),
json (for programs), markdown (for a pull-request comment) and github (a
warning annotation per consequence and a summary notice).

Like diff(1), diff exits 0 when the inputs are the same, 1 when they
differ, and 2 when an input cannot be read or is invalid.`,
		Example: `  $ mdmforge diff main/policies/contacts.yaml policies/contacts.yaml
  $ mdmforge diff policies/contacts.yaml dist
  $ mdmforge diff old/contacts.signed.mobileconfig new/contacts.signed.mobileconfig --uuids
  $ mdmforge diff dist-main dist --format markdown > comment.md`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return usageError(cmd, "diff compares two inputs, BEFORE and AFTER; got %d", len(args))
			}
			opts.Before, opts.After = args[0], args[1]
			if _, err := opts.Target.parse(); err != nil {
				return usageError(cmd, "--target: %v", err)
			}
			switch opts.Format {
			case formatText, formatJSON, formatMarkdownDiff, formatGitHub:
			default:
				return usageError(cmd, "--format must be text, json, markdown or github, not %q", opts.Format)
			}
			if runF != nil {
				return runF(opts)
			}
			return diffRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", formatText, "output `FORMAT`: text, json, markdown or github")
	completeValues(cmd.Flags(), "format", formatText, formatJSON, formatMarkdownDiff, formatGitHub)
	cmd.Flags().BoolVar(&opts.UUIDs, "uuids", false, "also show PayloadUUID changes")
	opts.Target.register(cmd.Flags())
	return cmd
}

func diffRun(opts *diffOptions) error {
	r, err := diffInputs(opts)
	if err != nil {
		var e *exitError
		if errors.As(err, &e) {
			return &exitError{code: diffTrouble, err: e.err, hints: e.hints}
		}
		return &exitError{code: diffTrouble, err: err}
	}
	var out bytes.Buffer
	switch opts.Format {
	case formatJSON:
		err = writeJSON(&out, r.document())
	case formatMarkdownDiff:
		r.writeMarkdown(&out)
	case formatGitHub:
		r.writeGitHub(&out)
	default:
		r.writeText(&out)
	}
	if err == nil {
		_, err = opts.IO.Out.Write(out.Bytes())
	}
	if err != nil {
		return &exitError{code: diffTrouble, err: err}
	}
	if r.different() {
		return &exitError{code: ExitFailure}
	}
	return nil
}

// Reading the two sides.

type diffSideKind int

const (
	diffOneFile diffSideKind = iota
	diffPolicies
	diffFolder
)

// diffSide is one input: its files by relative name.
type diffSide struct {
	arg      string
	kind     diffSideKind
	files    map[string]diffEntry
	policies []string // profile names, for diffPolicies
}

type diffEntry struct {
	data   []byte
	source string // the file to name in messages: the file itself, or the policy it was built from
}

func loadDiffSide(streams *IO, arg string, target profiles.Target) (*diffSide, error) {
	info, err := os.Stat(arg)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", arg, unwrapPath(err))
	}
	if !info.IsDir() {
		if diffIsPolicy(arg) {
			return loadDiffPolicies(streams, arg, target)
		}
		data, err := readInput(arg, maxInputFile)
		if err != nil {
			return nil, err
		}
		return &diffSide{arg: arg, kind: diffOneFile, files: map[string]diffEntry{filepath.Base(arg): {data, arg}}}, nil
	}
	entries, err := os.ReadDir(arg)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", arg, unwrapPath(err))
	}
	for _, e := range entries {
		// As profiles.Load decides: a policy, or a link to one.
		if diffIsPolicy(e.Name()) && !strings.HasPrefix(e.Name(), ".") && !diffEntryMode(filepath.Join(arg, e.Name()), e).IsDir() {
			return loadDiffPolicies(streams, arg, target)
		}
	}
	s := &diffSide{arg: arg, kind: diffFolder, files: map[string]diffEntry{}}
	if err := s.walk(streams, arg); err != nil {
		return nil, err
	}
	return s, nil
}

// walk reads the files of folder dir and its subfolders into s.files.
// Links to files are followed, as profiles.Load does. Links to folders are
// skipped with a warning, so a link to a parent cannot loop and a shared
// folder is not compared twice; other special files (named pipes,
// sockets, devices) are skipped with a warning without being opened, since
// opening a pipe would wait for a writer forever.
func (s *diffSide) walk(streams *IO, dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("%s: %v", dir, unwrapPath(err))
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		mode := diffEntryMode(p, e)
		switch {
		case e.IsDir():
			if err := s.walk(streams, p); err != nil {
				return err
			}
			continue
		case mode.IsDir():
			fmt.Fprintf(streams.Err, "mdmforge: warning: %s: skipped: a link to a folder, which diff does not follow\n", p)
			continue
		case mode&fs.ModeSymlink != 0:
			// os.Stat failed: a link to nothing, or to what cannot be read.
			_, err := os.Stat(p)
			return fmt.Errorf("%s: %v", p, unwrapPath(err))
		case !mode.IsRegular():
			fmt.Fprintf(streams.Err, "mdmforge: warning: %s: skipped: a %s, not a file\n", p, diffFileKind(mode))
			continue
		}
		rel, err := filepath.Rel(s.arg, p)
		if err != nil {
			return err
		}
		if rel == manifestName {
			// build's list of the outputs changes whenever they do; the
			// outputs themselves are compared.
			continue
		}
		data, err := readInput(p, maxInputFile)
		if err != nil {
			return err
		}
		s.files[filepath.ToSlash(rel)] = diffEntry{data, p}
	}
	return nil
}

// diffEntryMode is the type of a folder entry, links followed; a link that
// cannot be followed keeps fs.ModeSymlink.
func diffEntryMode(p string, e fs.DirEntry) fs.FileMode {
	if e.Type()&fs.ModeSymlink == 0 {
		return e.Type()
	}
	info, err := os.Stat(p)
	if err != nil {
		return fs.ModeSymlink
	}
	return info.Mode().Type()
}

// diffFileKind names the type of a file that is neither regular nor a
// folder.
func diffFileKind(mode fs.FileMode) string {
	switch {
	case mode&fs.ModeNamedPipe != 0:
		return "named pipe"
	case mode&fs.ModeSocket != 0:
		return "socket"
	case mode&fs.ModeDevice != 0:
		return "device"
	}
	return "special file"
}

func diffIsPolicy(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}

// loadDiffPolicies validates and builds policies as build would, for the
// target given or each policy's own, and keeps their outputs by name.
func loadDiffPolicies(streams *IO, arg string, target profiles.Target) (*diffSide, error) {
	policies, ds := profiles.Load(arg)
	if ds.Errors() == 0 {
		for _, p := range policies {
			ds = append(ds, p.CheckTarget(p.TargetFor(target))...)
		}
		ds.Sort()
	}
	if ds.Errors() > 0 {
		for _, d := range ds {
			if d.Severity == profiles.Error {
				fmt.Fprintln(streams.Err, d.String())
			}
		}
		return nil, fmt.Errorf("%s: %w", arg, ds.Err())
	}
	s := &diffSide{arg: arg, kind: diffPolicies, files: map[string]diffEntry{}}
	for _, p := range policies {
		outs, err := p.Build(profiles.Options{Target: target})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.File, err)
		}
		if p.TargetFor(target) == profiles.Intune {
			bundle, _, err := p.IntuneBundle(profiles.Options{Target: profiles.Intune})
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p.File, err)
			}
			for _, o := range bundle {
				outs = append(outs, profiles.Output{Name: p.Profile.Name + ".intune/" + o.Name, Data: o.Data})
			}
		}
		for _, o := range outs {
			s.files[o.Name] = diffEntry{o.Data, p.File}
		}
		s.policies = append(s.policies, p.Profile.Name)
	}
	return s, nil
}

// builtFor keeps the files build writes for the side's policies without
// --sign or --roster: the rest of an output folder belongs to other
// policies or other runs.
func (s *diffSide) builtFor(names []string) {
	for rel := range s.files {
		keep := false
		for _, n := range names {
			switch rel {
			case n + ".mobileconfig", n + ".outlook.json", n + ".outlook.plist":
				keep = true
			}
			keep = keep || strings.HasPrefix(rel, n+".intune/")
		}
		if !keep {
			delete(s.files, rel)
		}
	}
}

// renamed moves a single policy's outputs to another profile name, so a
// renamed policy is compared with its old self.
func (s *diffSide) renamed(to string) {
	from := s.policies[0]
	files := make(map[string]diffEntry, len(s.files))
	for rel, e := range s.files {
		files[to+strings.TrimPrefix(rel, from)] = e
	}
	s.files = files
}

// diffPair is one file of each side to compare; a nil side is missing.
type diffPair struct {
	name string
	a, b *diffEntry
}

func pairDiffSides(a, b *diffSide) ([]diffPair, error) {
	if a.kind == diffOneFile && b.kind == diffOneFile {
		ea, eb := a.files[filepath.Base(a.arg)], b.files[filepath.Base(b.arg)]
		return []diffPair{{filepath.Base(b.arg), &ea, &eb}}, nil
	}
	if a.kind == diffOneFile || b.kind == diffOneFile {
		one, many := a, b
		if b.kind == diffOneFile {
			one, many = b, a
		}
		base := filepath.Base(one.arg)
		e := one.files[base]
		name := base
		if _, ok := many.files[name]; !ok {
			name = strings.Replace(base, ".signed.mobileconfig", ".mobileconfig", 1)
		}
		if _, ok := many.files[name]; !ok {
			// A file from a subfolder, such as NAME.intune/email.json.
			var found []string
			for rel := range many.files {
				if path.Base(rel) == base {
					found = append(found, rel)
				}
			}
			if len(found) == 1 {
				name = found[0]
			}
		}
		m, ok := many.files[name]
		if !ok {
			return nil, fmt.Errorf("%s has no %s to compare %s with", many.arg, base, one.arg)
		}
		if one == a {
			return []diffPair{{name, &e, &m}}, nil
		}
		return []diffPair{{name, &m, &e}}, nil
	}
	switch {
	case a.kind == diffPolicies && b.kind == diffFolder:
		b.builtFor(a.policies)
	case a.kind == diffFolder && b.kind == diffPolicies:
		a.builtFor(b.policies)
	case a.kind == diffPolicies && b.kind == diffPolicies && len(a.policies) == 1 && len(b.policies) == 1 && a.policies[0] != b.policies[0]:
		a.renamed(b.policies[0])
	}
	names := make([]string, 0, len(a.files)+len(b.files))
	for n := range a.files {
		names = append(names, n)
	}
	for n := range b.files {
		if _, ok := a.files[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	pairs := make([]diffPair, 0, len(names))
	for _, n := range names {
		p := diffPair{name: n}
		if e, ok := a.files[n]; ok {
			p.a = &e
		}
		if e, ok := b.files[n]; ok {
			p.b = &e
		}
		pairs = append(pairs, p)
	}
	return pairs, nil
}

// Comparing.

// diffFile is the difference of one file.
type diffFile struct {
	Path         string
	Status       string // added, removed or changed
	Format       string // profile, plist, json or bytes
	Source       string
	Changes      []diff.Change // without hidden ones
	Consequences []diff.Consequence
	Hidden       int // PayloadUUID changes left out
	// Carries is the profile (NAME.mobileconfig) whose change this file of
	// NAME.intune/ repeats and nothing else; Changes and Consequences are
	// then left out, shown with the profile.
	Carries string

	all   []diff.Change // hidden ones included
	trees [2]map[string]any // a profile's two sides
}

type diffResult struct {
	Before, After string
	Files         []*diffFile
	Hidden        int // in files that otherwise do not differ
}

func (r *diffResult) different() bool { return len(r.Files) > 0 }

func diffInputs(opts *diffOptions) (*diffResult, error) {
	target, _ := opts.Target.parse()
	a, err := loadDiffSide(opts.IO, opts.Before, target)
	if err != nil {
		return nil, err
	}
	b, err := loadDiffSide(opts.IO, opts.After, target)
	if err != nil {
		return nil, err
	}
	pairs, err := pairDiffSides(a, b)
	if err != nil {
		return nil, err
	}
	r := &diffResult{Before: opts.Before, After: opts.After}
	for _, p := range pairs {
		f, err := compareDiffPair(p, diff.Options{UUIDs: opts.UUIDs})
		if err != nil {
			return nil, err
		}
		if f == nil {
			continue
		}
		if f.Status == string(diff.Changed) && len(f.Changes) == 0 && len(f.Consequences) == 0 {
			r.Hidden += f.Hidden
			continue
		}
		r.Files = append(r.Files, f)
	}
	r.foldIntune()
	return r, nil
}

func diffFormatOf(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".mobileconfig":
		return "profile"
	case ".plist":
		return "plist"
	case ".json":
		return "json"
	}
	return "bytes"
}

func compareDiffPair(p diffPair, opts diff.Options) (*diffFile, error) {
	f := &diffFile{Path: p.name, Format: diffFormatOf(p.name), Status: string(diff.Changed)}
	switch {
	case p.a == nil:
		f.Status, f.Source = string(diff.Added), p.b.source
		return f, nil
	case p.b == nil:
		f.Status, f.Source = string(diff.Removed), p.a.source
		return f, nil
	case bytes.Equal(p.a.data, p.b.data):
		return nil, nil
	}
	f.Source = p.b.source
	var all []diff.Change
	switch f.Format {
	case "profile":
		ta, sa, err := readDiffProfile(p.a)
		if err != nil {
			return nil, err
		}
		tb, sb, err := readDiffProfile(p.b)
		if err != nil {
			return nil, err
		}
		all = append(diff.Signers(sa, sb), diff.Trees(ta, tb, opts)...)
		f.trees = [2]map[string]any{ta, tb}
	case "plist":
		va, err := readDiffPlist(p.a)
		if err != nil {
			return nil, err
		}
		vb, err := readDiffPlist(p.b)
		if err != nil {
			return nil, err
		}
		ma, okA := va.(map[string]any)
		mb, okB := vb.(map[string]any)
		if okA && okB && profiles.CheckProfile(p.a.data) == nil && profiles.CheckProfile(p.b.data) == nil {
			f.Format = "profile"
			all = diff.Trees(ma, mb, opts)
		} else {
			all = diff.Plists(va, vb)
		}
	case "json":
		va, err := readDiffJSON(p.a)
		if err != nil {
			return nil, err
		}
		vb, err := readDiffJSON(p.b)
		if err != nil {
			return nil, err
		}
		all = diff.JSON(va, vb, opts)
	default:
		all = []diff.Change{{Kind: diff.Changed, Scope: diff.ScopeFile,
			Before: diffDigest(p.a.data), After: diffDigest(p.b.data), BeforeType: "bytes", AfterType: "bytes"}}
	}
	for _, c := range all {
		if c.Hidden {
			f.Hidden++
		} else {
			f.Changes = append(f.Changes, redactDiffChange(c))
		}
	}
	f.Consequences = diff.Consequences(all)
	f.all = all
	return f, nil
}

// foldIntune shows one edit once. A policy's NAME.intune/custom.json
// carries NAME.mobileconfig in base64 and email.json mirrors its Exchange
// account, so each change to the profile came back twice more, with its
// consequence; a file that diff.Carries finds to repeat the profile's
// change and nothing else is reduced to a line after it. The bundle's
// README.md, compared by its bytes, is left out when other files of the
// policy differ: it documents them and deploys nothing. Files only on one
// side, and a change the profile does not explain, stay as they are.
func (r *diffResult) foldIntune() {
	byPath := make(map[string]*diffFile, len(r.Files))
	for _, f := range r.Files {
		byPath[f.Path] = f
	}
	changed := string(diff.Changed)
	kept := r.Files[:0]
	for _, f := range r.Files {
		dir, base := path.Split(f.Path)
		name, ok := strings.CutSuffix(dir, ".intune/")
		if !ok || f.Status != changed {
			kept = append(kept, f)
			continue
		}
		src := byPath[name+".mobileconfig"]
		switch base {
		case "custom.json", "email.json":
			if src != nil && src.Status == changed && diff.Carries(base, f.all, src.trees[0], src.trees[1], src.all) {
				f.Carries, f.Changes, f.Consequences, f.Hidden = src.Path, nil, nil, 0
			}
		case "README.md":
			if f.Format == "bytes" && r.policyDiffers(name, f) {
				continue
			}
		}
		kept = append(kept, f)
	}
	// Each carrying file right after its profile, so "above" is true.
	sortKey := func(f *diffFile) string {
		if f.Carries != "" {
			return f.Carries + "\x00" + f.Path
		}
		return f.Path
	}
	sort.SliceStable(kept, func(i, j int) bool { return sortKey(kept[i]) < sortKey(kept[j]) })
	r.Files = kept
}

// policyDiffers reports whether a file of policy name other than skip
// differs: its .mobileconfig or a file of its bundle.
func (r *diffResult) policyDiffers(name string, skip *diffFile) bool {
	for _, f := range r.Files {
		if f != skip && (f.Path == name+".mobileconfig" || strings.HasPrefix(f.Path, name+".intune/")) {
			return true
		}
	}
	return false
}

// redactDiffChange keeps secrets out of every format at once, since diff
// output ends up in pull-request comments: the value of a secret key
// becomes profiles.Redacted, and so do secrets inside other values, such
// as a payload added whole.
func redactDiffChange(c diff.Change) diff.Change {
	if c.Secret {
		if c.Kind != diff.Added {
			c.Before = profiles.Redacted{}
		}
		if c.Kind != diff.Removed {
			c.After = profiles.Redacted{}
		}
		return c
	}
	c.Before, _ = profiles.RedactSecrets(c.PayloadType, c.Before)
	c.After, _ = profiles.RedactSecrets(c.PayloadType, c.After)
	return c
}

// diffHasRedacted reports whether a value holds a redacted secret.
func diffHasRedacted(v any) bool {
	found := false
	mapLeaves(v, func(v any) any {
		if _, ok := v.(profiles.Redacted); ok {
			found = true
		}
		return v
	})
	return found
}

func diffDigest(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// readDiffProfile decodes a profile, unwrapping a signed one, and returns
// its signer.
func readDiffProfile(e *diffEntry) (map[string]any, *diff.Signer, error) {
	data := e.data
	var signer *diff.Signer
	if signing.IsSigned(data) {
		s, err := signing.Parse(data)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", e.source, err)
		}
		sum := sha256.Sum256(s.Signer.Raw)
		signer = &diff.Signer{Subject: s.Signer.Subject.String(), SHA256: strings.ToUpper(hex.EncodeToString(sum[:]))}
		data = s.Content
	}
	v, err := decodeDiffPlist(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", e.source, err)
	}
	top, _ := v.(map[string]any)
	if err := profiles.CheckProfileTree(top); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", e.source, err)
	}
	return top, signer, nil
}

func readDiffPlist(e *diffEntry) (any, error) {
	v, err := decodeDiffPlist(e.data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e.source, err)
	}
	return v, nil
}

// decodeDiffPlist decodes an XML or binary property list. The decoder also
// takes OpenStep text, which makes any word a string; no MDM reads that.
func decodeDiffPlist(data []byte) (any, error) {
	// Before any decoding: the decoder recurses once per level.
	if err := profiles.CheckPlistDepth(data); err != nil {
		return nil, err
	}
	var v any
	format, err := plist.Unmarshal(data, &v)
	if err != nil || format == plist.OpenStepFormat || format == plist.GNUStepFormat {
		return nil, errors.New("not a property list (XML or binary) or a signed profile")
	}
	return v, nil
}

func readDiffJSON(e *diffEntry) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(e.data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%s: not JSON: %v", e.source, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%s: not JSON: data after the value", e.source)
	}
	return v, nil
}

// Showing the result.

func (r *diffResult) counts() (changes, consequences, hidden int) {
	hidden = r.Hidden
	for _, f := range r.Files {
		changes += len(f.Changes)
		consequences += len(f.Consequences)
		hidden += f.Hidden
	}
	return
}

func diffPlural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// summary is the one-line verdict every format ends with.
func (r *diffResult) summary() string {
	changes, consequences, hidden := r.counts()
	var s string
	if !r.different() {
		s = fmt.Sprintf("no differences between %s and %s", r.Before, r.After)
	} else {
		verb := "differ"
		if len(r.Files) == 1 {
			verb = "differs"
		}
		s = diffPlural(len(r.Files), "file", "files") + " " + verb
		n := map[string]int{}
		for _, f := range r.Files {
			n[f.Status]++
		}
		if n["added"]+n["removed"] > 0 {
			var parts []string
			for _, st := range []string{"added", "removed", "changed"} {
				if n[st] > 0 {
					parts = append(parts, fmt.Sprintf("%d %s", n[st], st))
				}
			}
			s += " (" + strings.Join(parts, ", ") + ")"
		}
		if n["changed"] > 0 {
			s += fmt.Sprintf(": %s, %s", diffPlural(changes, "change", "changes"), diffPlural(consequences, "consequence", "consequences"))
		}
		if carry := r.carrying(); carry == 1 {
			s += " (1 carries a .mobileconfig change)"
		} else if carry > 1 {
			s += fmt.Sprintf(" (%d carry a .mobileconfig change)", carry)
		}
	}
	if hidden > 0 {
		s += " (" + diffHiddenNote(hidden) + ")"
	}
	return s
}

// carrying counts the files shown as carrying a profile's change.
func (r *diffResult) carrying() int {
	n := 0
	for _, f := range r.Files {
		if f.Carries != "" {
			n++
		}
	}
	return n
}

func diffHiddenNote(n int) string {
	if n == 1 {
		return "1 PayloadUUID change hidden; --uuids shows it"
	}
	return fmt.Sprintf("%d PayloadUUID changes hidden; --uuids shows them", n)
}

// diffGroup is the changes and consequences of one part of a file: its
// signature, its own values, a profile's top level or one payload.
type diffGroup struct {
	scope                diff.Scope
	within               string
	payload, payloadType string
	marker               string
	changes              []diff.Change
	consequences         []diff.Consequence
}

func (g *diffGroup) title() string {
	var t string
	switch g.scope {
	case diff.ScopeFile:
		return ""
	case diff.ScopePayload:
		t = fmt.Sprintf("%s (%s)", g.payloadType, g.payload)
	default:
		t = string(g.scope)
	}
	if g.within != "" {
		t = g.within + ": " + t
	}
	return t
}

func (g *diffGroup) rank() int {
	switch g.scope {
	case diff.ScopeSignature:
		return 0
	case diff.ScopeFile:
		return 1
	case diff.ScopeProfile:
		return 2
	}
	return 3
}

func (f *diffFile) groups() []*diffGroup {
	byKey := map[[3]string]*diffGroup{}
	get := func(scope diff.Scope, within, payload, payloadType string) *diffGroup {
		k := [3]string{string(scope), within, payload}
		g := byKey[k]
		if g == nil {
			g = &diffGroup{scope: scope, within: within, payload: payload, payloadType: payloadType, marker: "~"}
			byKey[k] = g
		}
		return g
	}
	for _, c := range f.Changes {
		g := get(c.Scope, c.Within, c.Payload, c.PayloadType)
		if c.Scope == diff.ScopePayload && c.Path == "" {
			g.marker = map[diff.ChangeKind]string{diff.Added: "+", diff.Removed: "-"}[c.Kind]
			continue
		}
		g.changes = append(g.changes, c)
	}
	for _, q := range f.Consequences {
		g := get(q.Scope, q.Within, q.Payload, q.PayloadType)
		g.consequences = append(g.consequences, q)
	}
	out := make([]*diffGroup, 0, len(byKey))
	for _, g := range byKey {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.within != b.within {
			return a.within < b.within
		}
		if a.rank() != b.rank() {
			return a.rank() < b.rank()
		}
		return a.payload < b.payload
	})
	return out
}

var diffMarkers = map[string]string{"added": "+", "removed": "-", "changed": "~"}

func diffMarker(c diff.Change) string { return diffMarkers[string(c.Kind)] }

// diffLine is a change without its marker: KEY: BEFORE → AFTER.
func diffLine(c diff.Change) string {
	key := c.Path
	if key == "" {
		key = "contents"
		if c.BeforeType != "bytes" {
			key = "(whole file)"
		}
	}
	switch {
	case c.Secret && c.Kind == diff.Changed:
		return key + ": " + diffSecretChanged + diffTypeNote(c)
	case c.Kind == diff.Added:
		return key + ": " + diffValue(c.After, c.AfterType)
	case c.Kind == diff.Removed:
		return key + ": " + diffValue(c.Before, c.BeforeType)
	}
	return key + ": " + diffValue(c.Before, c.BeforeType) + " → " + diffValue(c.After, c.AfterType) + diffTypeNote(c)
}

// diffSecretChanged stands for both values of a changed secret: that it
// changed is for review, the values are not.
const diffSecretChanged = "<secret, changed>"

func diffTypeNote(c diff.Change) string {
	if c.Kind == diff.Changed && c.BeforeType != c.AfterType {
		return fmt.Sprintf(" (type changed from %s to %s)", c.BeforeType, c.AfterType)
	}
	return ""
}

// diffValue shows a value on one line: strings quoted, reals with a decimal
// point, data as its size and digest, dates in RFC 3339, and short
// dictionaries and arrays inline.
func diffValue(v any, typ string) string {
	if typ == "bytes" {
		return fmt.Sprint(v)
	}
	if s := diffInline(v); utf8.RuneCountInString(s) <= 80 {
		return s
	}
	switch x := v.(type) {
	case map[string]any:
		return fmt.Sprintf("<dictionary of %s>", diffPlural(len(x), "key", "keys"))
	case []any:
		return fmt.Sprintf("<array of %s>", diffPlural(len(x), "item", "items"))
	}
	return diffInline(v)
}

func diffInline(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case json.Number:
		return x.String()
	case float64:
		return diffReal(x)
	case float32:
		return diffReal(float64(x))
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case []byte:
		return fmt.Sprintf("<data: %d bytes, sha256 %x>", len(x), sha256.Sum256(x))
	case *diff.Signer:
		return x.String()
	case profiles.Redacted:
		return x.String()
	case nil:
		return "null"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = strconv.Quote(k) + ": " + diffInline(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = diffInline(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}

func diffReal(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eIN") {
		s += ".0"
	}
	return s
}

func (r *diffResult) writeText(w io.Writer) {
	for _, f := range r.Files {
		if f.Carries != "" {
			fmt.Fprintf(w, "%s %s: carries the %s change above\n", diffMarkers[f.Status], f.Path, f.Carries)
			continue
		}
		fmt.Fprintf(w, "%s %s\n", diffMarkers[f.Status], f.Path)
		for _, g := range f.groups() {
			indent := "  "
			if t := g.title(); t != "" {
				fmt.Fprintf(w, "  %s %s\n", g.marker, t)
				indent = "      "
			}
			for _, c := range g.changes {
				fmt.Fprintf(w, "%s%s %s\n", indent, diffMarker(c), diffLine(c))
			}
			for _, q := range g.consequences {
				fmt.Fprintf(w, "%s! %s\n", indent, q.Message)
			}
		}
	}
	if r.different() {
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, r.summary())
}

// diffMDCode is text as inline code in a Markdown table cell.
func diffMDCode(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if fence != "`" || strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

func (g *diffGroup) mdTitle() string {
	var t string
	switch g.scope {
	case diff.ScopeFile:
		return ""
	case diff.ScopePayload:
		t = diffMDCode(g.payloadType) + " (" + diffMDCode(g.payload) + ")"
	default:
		t = string(g.scope)
	}
	if g.within != "" {
		t = diffMDCode(g.within) + ": " + t
	}
	return t
}

func (r *diffResult) writeMarkdown(w io.Writer) {
	fmt.Fprintf(w, "### mdmforge diff: %s → %s\n\n", diffMDCode(r.Before), diffMDCode(r.After))
	fmt.Fprintf(w, "%s.\n", strings.Replace(r.summary(), "--uuids", "`--uuids`", 1))
	carrying := false
	for _, f := range r.Files {
		if f.Carries != "" {
			// One list after the profile's table.
			if !carrying {
				fmt.Fprintln(w)
			}
			carrying = true
			fmt.Fprintf(w, "- %s: carries the %s change above\n", diffMDCode(f.Path), diffMDCode(f.Carries))
			continue
		}
		carrying = false
		fmt.Fprintf(w, "\n#### %s %s (%s)\n", diffMarkers[f.Status], diffMDCode(f.Path), f.Status)
		groups := f.groups()
		var callouts, rows []string
		for _, g := range groups {
			where := g.mdTitle()
			for _, q := range g.consequences {
				if where != "" && !namesPayload(q) {
					callouts = append(callouts, fmt.Sprintf("> - **%s**: %s", where, q.Message))
				} else {
					callouts = append(callouts, "> - "+q.Message)
				}
			}
			if g.scope == diff.ScopePayload && g.marker != "~" {
				rows = append(rows, fmt.Sprintf("| %s | %s | *payload* | | |", g.marker, where))
			}
			for _, c := range g.changes {
				key, before, after := c.Path, "", ""
				if key == "" {
					key = "contents"
				}
				if c.Kind != diff.Added {
					before = diffMDCode(diffValue(c.Before, c.BeforeType))
				}
				if c.Kind != diff.Removed {
					after = diffMDCode(diffValue(c.After, c.AfterType))
				}
				if c.Secret && c.Kind == diff.Changed {
					after = diffMDCode(diffSecretChanged)
				}
				if note := diffTypeNote(c); note != "" {
					after += " *" + strings.TrimSpace(note) + "*"
				}
				rows = append(rows, fmt.Sprintf("| %s | %s | %s | %s | %s |", diffMarker(c), where, diffMDCode(key), before, after))
			}
		}
		if len(callouts) > 0 {
			fmt.Fprintf(w, "\n> [!WARNING]\n%s\n", strings.Join(callouts, "\n"))
		}
		if len(rows) > 0 {
			fmt.Fprintf(w, "\n| | where | key | before | after |\n|---|---|---|---|---|\n%s\n", strings.Join(rows, "\n"))
		}
	}
}

// namesPayload reports whether a consequence's message already names its
// payload, which then needs no label.
func namesPayload(q diff.Consequence) bool {
	return q.Payload != "" && strings.Contains(q.Message, "("+q.Payload+")")
}

func (r *diffResult) writeGitHub(w io.Writer) {
	for _, f := range r.Files {
		for _, g := range f.groups() {
			for _, q := range g.consequences {
				where := f.Path
				if t := g.title(); t != "" && !namesPayload(q) {
					where += ": " + t
				}
				fmt.Fprintln(w, githubAnnotation("warning", f.Source, 0, 0, "mdmforge diff", where+": "+q.Message))
			}
		}
	}
	fmt.Fprintln(w, githubAnnotation("notice", "", 0, 0, "mdmforge diff", r.summary()))
}

// The JSON document.

type diffDocument struct {
	Before    string         `json:"before"`
	After     string         `json:"after"`
	Different bool           `json:"different"`
	Summary   diffSummary    `json:"summary"`
	Files     []diffJSONFile `json:"files"`
}

type diffSummary struct {
	Files             int `json:"files"`
	Changes           int `json:"changes"`
	Consequences      int `json:"consequences"`
	HiddenUUIDChanges int `json:"hidden_uuid_changes"`
}

type diffJSONFile struct {
	Path              string                `json:"path"`
	Status            string                `json:"status"`
	Format            string                `json:"format"`
	Source            string                `json:"source"`
	Changes           []diffJSONChange      `json:"changes"`
	Consequences      []diffJSONConsequence `json:"consequences"`
	HiddenUUIDChanges int                   `json:"hidden_uuid_changes"`
	// Carries names the profile whose change this file repeats, changes and
	// consequences then being in that profile's entry.
	Carries string `json:"carries,omitempty"`
}

type diffJSONChange struct {
	Kind        string          `json:"kind"`
	Scope       string          `json:"scope"`
	Within      string          `json:"within,omitempty"`
	Payload     string          `json:"payload,omitempty"`
	PayloadType string          `json:"payload_type,omitempty"`
	Path        string          `json:"path"`
	Before      json.RawMessage `json:"before,omitempty"`
	After       json.RawMessage `json:"after,omitempty"`
	BeforeType  string          `json:"before_type,omitempty"`
	AfterType   string          `json:"after_type,omitempty"`
	// Redacted says a secret was left out: the values when the change is
	// to a secret, or the secrets inside them, shown as "<secret>".
	Redacted bool `json:"redacted,omitempty"`
}

type diffJSONConsequence struct {
	Kind        string `json:"kind"`
	Scope       string `json:"scope"`
	Within      string `json:"within,omitempty"`
	Payload     string `json:"payload,omitempty"`
	PayloadType string `json:"payload_type,omitempty"`
	Message     string `json:"message"`
}

func (r *diffResult) document() diffDocument {
	changes, consequences, hidden := r.counts()
	doc := diffDocument{Before: r.Before, After: r.After, Different: r.different(),
		Summary: diffSummary{len(r.Files), changes, consequences, hidden}, Files: []diffJSONFile{}}
	for _, f := range r.Files {
		jf := diffJSONFile{Path: f.Path, Status: f.Status, Format: f.Format, Source: f.Source,
			Changes: []diffJSONChange{}, Consequences: []diffJSONConsequence{}, HiddenUUIDChanges: f.Hidden, Carries: f.Carries}
		for _, c := range f.Changes {
			jc := diffJSONChange{Kind: string(c.Kind), Scope: string(c.Scope), Within: c.Within, Payload: c.Payload,
				PayloadType: c.PayloadType, Path: c.Path, BeforeType: c.BeforeType, AfterType: c.AfterType,
				Redacted: c.Secret || diffHasRedacted(c.Before) || diffHasRedacted(c.After)}
			if c.Kind != diff.Added && !c.Secret {
				jc.Before = diffRawJSON(c.Before)
			}
			if c.Kind != diff.Removed && !c.Secret {
				jc.After = diffRawJSON(c.After)
			}
			jf.Changes = append(jf.Changes, jc)
		}
		for _, q := range f.Consequences {
			jf.Consequences = append(jf.Consequences, diffJSONConsequence{Kind: string(q.Kind), Scope: string(q.Scope),
				Within: q.Within, Payload: q.Payload, PayloadType: q.PayloadType, Message: q.Message})
		}
		doc.Files = append(doc.Files, jf)
	}
	return doc
}

// diffRawJSON encodes a value for the document: data as base64, dates in RFC
// 3339, reals that JSON cannot hold as text.
func diffRawJSON(v any) json.RawMessage {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(diffJSONSafe(v)); err != nil {
		return json.RawMessage(strconv.Quote(fmt.Sprint(v)))
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}

func diffJSONSafe(v any) any {
	return mapLeaves(v, func(v any) any {
		switch x := v.(type) {
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return diffReal(x)
			}
		case float32:
			return float64(x)
		case time.Time:
			return x.UTC().Format(time.RFC3339)
		}
		return v
	})
}
