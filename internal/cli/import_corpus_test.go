package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestImportBrokenCorpus imports each broken profile of testdata/profiles:
// every one is refused with a message naming the mistake (at its line and
// column where the file has them), and no policy is written.
func TestImportBrokenCorpus(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "profiles", "broken")
	for file, want := range map[string]string{
		"key-wrong-level.mobileconfig":      `allowCamera: .*\n    \S+key-wrong-level.mobileconfig:32:2`,
		"disallowed-value.mobileconfig":     `PayloadContent\[0\]\.EncryptionType: .*"WPA4".*\n    \S+disallowed-value.mobileconfig:10:4`,
		"unknown-payload-type.mobileconfig": `"com.apple.wifi.managd" is not a payload type.*\n    \S+unknown-payload-type.mobileconfig:14:4`,
		"missing-payload-uuid.mobileconfig": `PayloadContent\[1\].* PayloadUUID`,
		"malformed.mobileconfig":            `error: not a property list: XML syntax error: .*\n    \S+malformed.mobileconfig:9:\d+\n`,
		"truncated-cms.mobileconfig":        `error: the signed profile is cut short: .*\n    \S+truncated-cms.mobileconfig\n(?s:.*)mdmforge: hint: `,
	} {
		t.Run(file, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "p.yaml")
			code, stdout, stderr := run(t, "import", filepath.Join(dir, file), "--out", out)
			if code == 0 {
				t.Fatalf("import succeeded:\n%s%s", stdout, stderr)
			}
			if !regexp.MustCompile(want).MatchString(stderr) {
				t.Errorf("stderr does not match %s:\n%s", want, stderr)
			}
			if !regexp.MustCompile(`(?m)^mdmforge: error: .*no policy written$`).MatchString(stderr) {
				t.Errorf("stderr does not say no policy was written:\n%s", stderr)
			}
			if _, err := os.Lstat(out); err == nil {
				t.Error("a policy was written")
			}
		})
	}
}
