package cli

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestLintCorpus lints the clean profiles of testdata/profiles, the shapes
// real tools write and devices accept, in one run without --platform: none
// may have an error. Their warnings and notes are logged, to show what
// lint still says about them.
func TestLintCorpus(t *testing.T) {
	var files []string
	for _, dir := range []string{"macos", "ios", "tvos"} {
		f, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "profiles", dir, "*.mobileconfig"))
		files = append(files, f...)
	}
	if len(files) < 60 {
		t.Fatalf("want at least 60 corpus profiles, found %d", len(files))
	}
	code, stdout, stderr := run(t, append([]string{"lint"}, files...)...)
	if code != 0 || regexp.MustCompile(`(?m)^error: `).MatchString(stderr) {
		t.Fatalf("lint exit %d on clean profiles:\n%s", code, stderr)
	}
	if want := regexp.MustCompile(`^\d+ files clean`); !want.MatchString(stdout) {
		t.Errorf("stdout %q does not match %s", stdout, want)
	}
	t.Logf("%s%d notes", stdout, strings.Count("\n"+stderr, "\nnote: "))
}

// TestLintBrokenCorpus lints each broken profile of testdata/profiles: the
// planted mistake is the one error, at its line and column where the file
// has them.
func TestLintBrokenCorpus(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "profiles", "broken")
	for file, want := range map[string]string{
		"key-wrong-level.mobileconfig":      `error: allowCamera: allowCamera is a key of the com.apple.applicationaccess payload, not of the profile's top level; move it into that payload's dictionary in PayloadContent\n    \S+key-wrong-level.mobileconfig:32:2\n`,
		"disallowed-value.mobileconfig":     `error: PayloadContent\[0\]\.EncryptionType: EncryptionType is text "WPA4"; Apple allows "WEP", "WPA", "WPA2", "WPA3", "Any" or "None"\n    \S+disallowed-value.mobileconfig:10:4\n`,
		"unknown-payload-type.mobileconfig": `error: PayloadContent\[0\]\.PayloadType: "com.apple.wifi.managd" is not a payload type in Apple's schema; did you mean "com.apple.wifi.managed"\?\n    \S+unknown-payload-type.mobileconfig:14:4\n`,
		"missing-payload-uuid.mobileconfig": `error: PayloadContent\[1\]: missing PayloadUUID, which Apple's schema requires; .*\n    \S+missing-payload-uuid.mobileconfig:23:3\n`,
		"malformed.mobileconfig":            `error: not a property list: XML syntax error: element <string> closed by </strin>\n    \S+malformed.mobileconfig:9:\d+\n`,
		"truncated-cms.mobileconfig":        `error: the signed profile is cut short: its signature structure declares \d+ bytes, the file has 700; download or export it again\n    \S+truncated-cms.mobileconfig\n`,
	} {
		t.Run(file, func(t *testing.T) {
			code, _, stderr := run(t, "lint", filepath.Join(dir, file))
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if !regexp.MustCompile(want).MatchString(stderr) {
				t.Errorf("stderr does not match %s:\n%s", want, stderr)
			}
			if n := len(regexp.MustCompile(`(?m)^error: `).FindAllString(stderr, -1)); n != 1 {
				t.Errorf("%d errors, want only the planted one:\n%s", n, stderr)
			}
		})
	}
}
