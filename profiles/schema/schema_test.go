package schema_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/mdmforge/mdmforge/profiles/schema"
	"go.yaml.in/yaml/v3"
)

// appleDir holds Apple's YAML files when ../shared is checked out beside
// the repository.
const appleDir = "../../../shared/apple-device-management/profiles"

func mustPayload(t *testing.T, typ string) *schema.Payload {
	t.Helper()
	p, ok := schema.Lookup(typ)
	if !ok {
		t.Fatalf("Lookup(%q) failed", typ)
	}
	return p
}

// mustKey resolves a path: a payload key, then child keys.
func mustKey(t *testing.T, typ string, path ...string) *schema.Key {
	t.Helper()
	k, ok := mustPayload(t, typ).Key(path[0])
	for _, name := range path[1:] {
		if !ok {
			break
		}
		k, ok = k.Lookup(name)
	}
	if !ok {
		t.Fatalf("%s %q not found", typ, path)
	}
	return k
}

func TestEveryAppleFileHasAnEntry(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(appleDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skipf("%s not present (../shared is not checked out beside the repository)", appleDir)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Payload struct {
				PayloadType string `yaml:"payloadtype"`
			} `yaml:"payload"`
			PayloadKeys []yaml.Node `yaml:"payloadkeys"`
		}
		if err := yaml.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		base := filepath.Base(name)
		var keys []*schema.Key
		switch typ := doc.Payload.PayloadType; typ {
		case "CommonPayloadKeys":
			keys = schema.Common()
		case "TopLevel":
			keys = mustPayload(t, "Configuration").Keys
		default:
			p, ok := schema.Lookup(typ)
			if !ok {
				t.Errorf("%s: payload type %q missing", base, typ)
				continue
			}
			if p.Variants == nil {
				keys = ownKeys(p)
				break
			}
			for _, v := range p.Variants {
				if v.File == base {
					keys = v.Keys
				}
			}
			if keys == nil {
				t.Errorf("%s: no variant of %q for this file", base, typ)
			}
		}
		if len(keys) != len(doc.PayloadKeys) {
			t.Errorf("%s: %d keys, Apple has %d", base, len(keys), len(doc.PayloadKeys))
		}
	}
}

// ownKeys leaves out the keys a payload inherits (Payload.Inherits), which
// its Apple file does not list.
func ownKeys(p *schema.Payload) []*schema.Key {
	if p.Inherits == "" {
		return p.Keys
	}
	var own []*schema.Key
	for _, k := range p.Keys {
		if !p.InheritedKey(k.Name) {
			own = append(own, k)
		}
	}
	return own
}

func TestFacts(t *testing.T) {
	eas := "com.apple.eas.account"
	restr := "com.apple.applicationaccess"
	scep := "com.apple.security.scep"

	k := mustKey(t, eas, "EnableContacts")
	if k.Type != schema.Boolean || k.Default != true || k.Required {
		t.Errorf("EnableContacts = %v %v required=%v", k.Type, k.Default, k.Required)
	}
	if s := k.Platforms[schema.IOS]; s == nil || s.Introduced != "13.0" {
		t.Errorf("EnableContacts iOS = %+v", s)
	}

	k = mustKey(t, eas, "MailNumberOfPastDaysToSync")
	if want := []any{int64(0), int64(1), int64(3), int64(7), int64(14), int64(31)}; !reflect.DeepEqual(k.Allowed, want) || k.Default != int64(7) {
		t.Errorf("MailNumberOfPastDaysToSync allowed %v default %v", k.Allowed, k.Default)
	}

	// Apple's spelling differs between the two families of keys.
	for name, want := range map[string]bool{
		"SMIMESigningUserOverrideable": true,
		"SMIMESigningUserOverridable":  false,
		"EnableMailUserOverridable":    true,
		"EnableMailUserOverrideable":   false,
	} {
		if _, ok := mustPayload(t, eas).Key(name); ok != want {
			t.Errorf("%s exists = %v, want %v", name, ok, want)
		}
	}

	// Not on macOS: neither the payload nor its keys.
	if p := mustPayload(t, eas); p.Platforms[schema.MacOS] != nil || p.Platforms[schema.IOS] == nil || !p.Platforms[schema.IOS].Multiple {
		t.Errorf("eas platforms = %v", p.Platforms)
	}
	if mustKey(t, eas, "Host").Platforms[schema.MacOS] != nil {
		t.Error("eas Host available on macOS")
	}

	// Subkeys inherit from their parent key, not just the payload.
	k = mustKey(t, eas, "CommunicationServiceRules", "DefaultServiceHandlers", "AudioCall")
	if s := k.Platforms[schema.IOS]; s == nil || s.Introduced != "10.0" {
		t.Errorf("AudioCall iOS = %+v", s)
	}

	k = mustKey(t, eas, "PayloadCertificateUUID")
	if k.Format == "" || !regexp.MustCompile(k.Format).MatchString("0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0") ||
		regexp.MustCompile(k.Format).MatchString("not-a-uuid") {
		t.Errorf("PayloadCertificateUUID format %q", k.Format)
	}

	k = mustKey(t, restr, "allowAccountModification")
	if s := k.Platforms[schema.IOS]; s == nil || !s.Supervised {
		t.Errorf("allowAccountModification iOS = %+v", s)
	}
	if s := k.Platforms[schema.MacOS]; s == nil || s.Supervised {
		t.Errorf("allowAccountModification macOS = %+v", s)
	}

	k = mustKey(t, restr, "allowManagedToWriteUnmanagedContacts")
	if s := k.Platforms[schema.IOS]; s == nil || s.ManualInstall || s.Introduced != "12.0" {
		t.Errorf("allowManagedToWriteUnmanagedContacts iOS = %+v", s)
	}

	// Real values keep their type.
	k = mustKey(t, restr, "safariAcceptCookies")
	if k.Type != schema.Real || k.Default != 2.0 || !reflect.DeepEqual(k.Allowed, []any{0.0, 1.0, 1.5, 2.0}) {
		t.Errorf("safariAcceptCookies = %v %#v %#v", k.Type, k.Default, k.Allowed)
	}

	pc := mustKey(t, scep, "PayloadContent")
	if pc.Type != schema.Dictionary || !pc.Required {
		t.Errorf("scep PayloadContent = %v required=%v", pc.Type, pc.Required)
	}
	k = mustKey(t, scep, "PayloadContent", "Key Type")
	if k.Type != schema.String || k.Default != "RSA" {
		t.Errorf("Key Type = %v %v", k.Type, k.Default)
	}
	k = mustKey(t, scep, "PayloadContent", "Keysize")
	if !reflect.DeepEqual(k.Allowed, []any{int64(1024), int64(2048), int64(4096)}) || k.Default != int64(1024) {
		t.Errorf("Keysize = %v default %v", k.Allowed, k.Default)
	}
	if s := mustKey(t, scep, "PayloadContent", "Key Usage").Platforms[schema.MacOS]; s == nil || s.Introduced != "10.11" {
		t.Errorf("Key Usage macOS = %+v", s)
	}
	k = mustKey(t, scep, "PayloadContent", "Subject")
	if k.Type != schema.Array || k.Item == nil || k.Item.Type != schema.Array ||
		k.Item.Item.Item.Repetition == nil || *k.Item.Item.Item.Repetition.Max != 2 {
		t.Errorf("Subject = %+v", k)
	}

	k = mustKey(t, "Configuration", "PayloadRemovalDisallowed")
	if s := k.Platforms[schema.IOS]; s == nil || !s.Supervised || s.UserEnrollment != schema.ModeForbidden {
		t.Errorf("PayloadRemovalDisallowed iOS = %+v", s)
	}
	if k.Platforms[schema.WatchOS] != nil {
		t.Error("PayloadRemovalDisallowed on watchOS")
	}

	k = mustKey(t, "com.apple.AIM.account", "AIMPort")
	if !k.Range.Contains(5190) || k.Range.Contains(65536) || k.Default != int64(5190) {
		t.Errorf("AIMPort range %+v default %v", k.Range, k.Default)
	}

	// Apple's "introduced: all" inherits the payload's version.
	if s := mustKey(t, "loginwindow", "DisableLoginItemsSuppression").Platforms[schema.MacOS]; s == nil ||
		s.Introduced != mustPayload(t, "loginwindow").Platforms[schema.MacOS].Introduced {
		t.Errorf("DisableLoginItemsSuppression macOS = %+v", s)
	}
}

func TestCommonKeys(t *testing.T) {
	var names []string
	for _, k := range schema.Common() {
		names = append(names, k.Name)
	}
	for _, want := range []string{"PayloadType", "PayloadVersion", "PayloadIdentifier", "PayloadUUID", "PayloadDisplayName"} {
		if !strings.Contains(" "+strings.Join(names, " ")+" ", " "+want+" ") {
			t.Errorf("Common() lacks %s: %v", want, names)
		}
	}
	// Payloads find common keys; the profile itself has its own.
	if k := mustKey(t, "com.apple.eas.account", "PayloadType"); k.Allowed != nil || !k.Required {
		t.Errorf("eas PayloadType = %+v", k)
	}
	if k := mustKey(t, "Configuration", "PayloadType"); !reflect.DeepEqual(k.Allowed, []any{"Configuration"}) {
		t.Errorf("Configuration PayloadType allowed = %v", k.Allowed)
	}
	if _, ok := mustPayload(t, "Configuration").Key("NoSuchKey"); ok {
		t.Error("Configuration has NoSuchKey")
	}
}

func TestWildcardAndRecursion(t *testing.T) {
	// A payload that accepts any key still resolves the common ones.
	eth := mustPayload(t, "com.apple.firstethernet.managed")
	if k, ok := eth.Key("SomethingElse"); !ok || !k.IsWildcard() || k.Type != schema.Any {
		t.Errorf("ethernet wildcard = %+v, %v", k, ok)
	}
	if k, _ := eth.Key("PayloadType"); k == nil || k.Type != schema.String {
		t.Errorf("ethernet PayloadType = %+v", k)
	}

	// ConsentText: language codes map to strings.
	k := mustKey(t, "Configuration", "ConsentText", "ConsentTextItem", "en")
	if !k.IsWildcard() || k.Type != schema.String {
		t.Errorf("ConsentText item = %+v", k)
	}

	// Team identifier -> array of bundle identifiers.
	k = mustKey(t, "com.apple.syspolicy.kernel-extension-policy", "AllowedKernelExtensions", "EQHXZ8M8AV")
	if !k.IsWildcard() || k.Type != schema.Array || k.Item == nil || k.Item.Type != schema.String {
		t.Errorf("AllowedKernelExtensions item = %+v", k)
	}

	// Lookup through arrays reaches the element's keys.
	if k := mustKey(t, "com.apple.homescreenlayout", "Dock", "Type"); len(k.Allowed) == 0 {
		t.Errorf("Dock Type = %+v", k)
	}

	// Recursive structures share their keys.
	dock := mustKey(t, "com.apple.homescreenlayout", "Dock")
	pages := mustKey(t, "com.apple.homescreenlayout", "Dock", "Pages")
	if pages.Item == nil || pages.Item.Item != dock.Item {
		t.Error("Dock/IconItem/Pages/PagesItem does not loop back to IconItem")
	}
	top := mustKey(t, "com.apple.homescreenlayout", "Pages")
	inner := mustKey(t, "com.apple.homescreenlayout", "Pages", "Pages")
	if inner.Item != top.Item {
		t.Error("Pages/PagesItem/IconItem/Pages does not loop back")
	}
	wl := mustKey(t, "com.apple.applicationaccess.new", "whiteList")
	if sub := mustKey(t, "com.apple.applicationaccess.new", "whiteList", "subApps"); sub.Item != wl.Item {
		t.Error("subApps does not share whiteList's element")
	}
}

func TestVariants(t *testing.T) {
	mcx := mustPayload(t, "com.apple.MCX")
	if len(mcx.Variants) != 6 || mcx.File != "" {
		t.Fatalf("com.apple.MCX variants = %d, file %q", len(mcx.Variants), mcx.File)
	}
	s := mcx.Platforms[schema.MacOS]
	if s == nil || s.Introduced != "10.7" || !s.Multiple || mcx.Platforms[schema.IOS] != nil {
		t.Errorf("merged com.apple.MCX = %v", mcx.Platforms)
	}
	if s := mustKey(t, "com.apple.MCX", "timeServer").Platforms[schema.MacOS]; s == nil || s.Introduced != "10.12.4" {
		t.Errorf("timeServer macOS = %+v", s)
	}
	for _, v := range mcx.Variants {
		if v.Variant == "FileVault2" {
			if v.File != "com.apple.MCX(FileVault2).yaml" || v.Platforms[schema.MacOS].Multiple {
				t.Errorf("FileVault2 variant = %+v", v)
			}
			if _, ok := v.Key("timeServer"); ok {
				t.Error("FileVault2 variant has timeServer")
			}
		}
	}

	sso := mustPayload(t, "com.apple.extensiblesso")
	if len(sso.Variants) != 2 || sso.Variants[0].Variant != "" || sso.Variants[1].Variant != "kerberos" {
		t.Fatalf("extensiblesso variants = %+v", sso.Variants)
	}
	if k, _ := sso.Key("ExtensionIdentifier"); k == nil || k.Allowed != nil {
		t.Errorf("generic ExtensionIdentifier = %+v", k)
	}
	if k, _ := sso.Variants[1].Key("ExtensionIdentifier"); k == nil || !reflect.DeepEqual(k.Allowed, []any{"com.apple.AppSSOKerberos.KerberosExtension"}) {
		t.Errorf("kerberos ExtensionIdentifier = %+v", k)
	}
}

func TestTypes(t *testing.T) {
	types := schema.Types()
	if len(types) < 100 {
		t.Fatalf("only %d types", len(types))
	}
	for i, typ := range types {
		if i > 0 && types[i-1] >= typ {
			t.Errorf("Types not sorted at %q", typ)
		}
		if typ == "CommonPayloadKeys" || typ == "TopLevel" {
			t.Errorf("Types contains %q", typ)
		}
		p, ok := schema.Lookup(typ)
		if !ok || p.Type != typ {
			t.Errorf("Lookup(%q) = %v", typ, p)
		}
	}
	if _, ok := schema.Lookup("com.example.nope"); ok {
		t.Error("unknown type found")
	}
	if src := schema.DataSource(); len(src.Commit) != 40 || src.Repository == "" {
		t.Errorf("DataSource = %+v", src)
	}
}

// TestInvariants walks every key of every payload.
func TestInvariants(t *testing.T) {
	valid := map[schema.Type]bool{}
	for _, typ := range []schema.Type{schema.String, schema.Integer, schema.Real, schema.Boolean,
		schema.Date, schema.Data, schema.Array, schema.Dictionary, schema.Any} {
		valid[typ] = true
	}
	seen := map[*schema.Key]bool{}
	var walk func(where string, k *schema.Key)
	walk = func(where string, k *schema.Key) {
		if seen[k] {
			return
		}
		seen[k] = true
		where += "/" + k.Name
		if !valid[k.Type] {
			t.Errorf("%s: type %q", where, k.Type)
		}
		if k.Format != "" {
			if _, err := regexp.Compile(k.Format); err != nil {
				t.Errorf("%s: format: %v", where, err)
			}
		}
		for _, v := range append([]any{k.Default}, k.Allowed...) {
			if v == nil {
				continue
			}
			var ok bool
			switch k.Type {
			case schema.Boolean:
				_, ok = v.(bool)
			case schema.Integer:
				_, ok = v.(int64)
			case schema.Real:
				_, ok = v.(float64)
			case schema.String:
				_, ok = v.(string)
			}
			if !ok {
				t.Errorf("%s: value %#v for type %s", where, v, k.Type)
			}
		}
		if (k.Type == schema.Array) != (k.Item != nil) {
			t.Errorf("%s: %s with Item %v", where, k.Type, k.Item)
		}
		if len(k.Keys) > 0 && k.Type != schema.Dictionary {
			t.Errorf("%s: %s with subkeys", where, k.Type)
		}
		for pl, s := range k.Platforms {
			if !validVersion(s.Introduced) || !validVersion(s.Deprecated) || !validVersion(s.Removed) {
				t.Errorf("%s: %s versions %+v", where, pl, s)
			}
		}
		if k.Item != nil {
			walk(where, k.Item)
		}
		for _, c := range k.Keys {
			walk(where, c)
		}
	}
	for _, typ := range schema.Types() {
		p, _ := schema.Lookup(typ)
		for _, v := range append([]*schema.Payload{p}, p.Variants...) {
			for _, k := range v.Keys {
				walk(typ, k)
			}
		}
	}
	for _, k := range schema.Common() {
		walk("common", k)
	}
	if len(seen) < 2000 {
		t.Errorf("only %d keys", len(seen))
	}
}

var versionRE = regexp.MustCompile(`^([0-9]+(\.[0-9]+)*)?$`)

func validVersion(v string) bool { return versionRE.MatchString(v) }

func TestCompareVersions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"13.0", "12.4", 1},
		{"12.4", "13.0", -1},
		{"13", "13.0.0", 0},
		{"10.10", "10.9", 1},
		{"10.13.4", "10.13", 1},
		{"1.1", "1.1", 0},
		{"", "1.0", -1},
		{"17.0", "17.0.1", -1},
	} {
		if got := schema.CompareVersions(c.a, c.b); got != c.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestAvailable(t *testing.T) {
	s := &schema.Support{Introduced: "10.7", Deprecated: "10.13", Removed: "10.14"}
	for v, want := range map[string]bool{"10.6.8": false, "10.7": true, "10.13.6": true, "10.14": false, "15.0": false} {
		if got := s.Available(v); got != want {
			t.Errorf("Available(%s) = %v", v, got)
		}
	}
	if !s.IsDeprecated("10.13") || s.IsDeprecated("10.12") {
		t.Error("IsDeprecated")
	}
	var none *schema.Support
	if none.Available("17.0") {
		t.Error("nil Support available")
	}
}

// TestNoAppleProse checks that only known fields appear in the data file,
// so Apple's titles and descriptions cannot slip in.
func TestNoAppleProse(t *testing.T) {
	b, err := os.ReadFile("apple.jsonl")
	if errors.Is(err, fs.ErrNotExist) {
		t.Fatal("apple.jsonl missing")
	}
	for _, banned := range []string{`"title"`, `"content"`, `"description"`, `"notes"`,
		"overrides any settings that the user customized"} {
		if strings.Contains(string(b), banned) {
			t.Errorf("apple.jsonl contains %s", banned)
		}
	}
}

func ExampleLookup() {
	p, _ := schema.Lookup("com.apple.eas.account")
	k, _ := p.Key("EnableContacts")
	ios := k.Platforms[schema.IOS]
	fmt.Println(k.Type, k.Default, ios.Introduced, ios.Available("12.4"))

	k, _ = p.Key("MailNumberOfPastDaysToSync")
	fmt.Println(k.Allowed)

	_, onMac := p.Platforms[schema.MacOS]
	fmt.Println("macOS:", onMac)

	scep, _ := schema.Lookup("com.apple.security.scep")
	pc, _ := scep.Key("PayloadContent")
	kt, _ := pc.Lookup("Key Type")
	fmt.Println(pc.Type, kt.Type, kt.Default)
	// Output:
	// boolean true 13.0 false
	// [0 1 3 7 14 31]
	// macOS: false
	// dictionary string RSA
}

func ExampleCompareVersions() {
	fmt.Println(schema.CompareVersions("13.0", "12.4"), schema.CompareVersions("10.10", "10.9.5"), schema.CompareVersions("17", "17.0"))
	// Output: 1 1 0
}
