package profiles

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/mdmforge/mdmforge/internal/suggest"
	"github.com/mdmforge/mdmforge/profiles/schema"
)

// What a well-formed value is (host, e-mail address, https URL, OS
// version, date, duration) and how a finding words a suggestion are
// answered here once: validation, compilation, the schema checks and the
// samples of variables all ask.

var (
	reverseDNS  = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$`)
	safeName    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	hostLabel   = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)
	osVersion   = regexp.MustCompile(`^[0-9]+(\.[0-9]+){0,2}$`)
	durationRE  = regexp.MustCompile(`^([0-9]+)(d|h|m|s)$`)
	mailDays    = []int{0, 1, 3, 7, 14, 31}
	authMethods = []string{"oauth", "password", "certificate"}
)

func validHTTPSURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != ""
}

func validHost(h string) bool {
	if net.ParseIP(h) != nil {
		return true
	}
	if len(h) == 0 || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if !hostLabel.MatchString(label) {
			return false
		}
	}
	return true
}

func validEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || strings.ContainsAny(s, " \t<>,;") {
		return false
	}
	return strings.Contains(s[at+1:], ".") && validHost(s[at+1:])
}

// versionLess reports whether iOS version a is older than b. An unset
// version counts as older: the author has not told us the devices are new.
// A malformed one is reported on its own and counts as new enough.
func versionLess(a, b string) bool {
	if a == "" {
		return true
	}
	return osVersion.MatchString(a) && schema.CompareVersions(a, b) < 0
}

func parseDate(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("bad date %q", s)
}

func parseDuration(s string) (time.Duration, error) {
	m := durationRE.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("bad duration %q", s)
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	unit := map[string]time.Duration{"d": 24 * time.Hour, "h": time.Hour, "m": time.Minute, "s": time.Second}[m[2]]
	const limit = 100 * 365 * 24 * time.Hour
	if err != nil || n > int64(limit/unit) {
		return 0, fmt.Errorf("bad duration %q", s)
	}
	return time.Duration(n) * unit, nil
}

// renameHint proposes a name for a profile whose name Windows refuses:
// without the trailing dots and spaces, and with the part Windows reads as a
// device name lengthened.
func renameHint(name string) string {
	name = strings.TrimRight(name, ". ")
	if windowsDevice(name) == "" {
		return name
	}
	base, rest, dotted := strings.Cut(name, ".")
	base = strings.TrimRight(base, " ") + "-profile"
	if dotted {
		return base + "." + rest
	}
	return base
}

func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

func didYouMean(word string, candidates []string) string {
	if s := suggest.Closest(word, candidates); s != "" && s != word {
		return fmt.Sprintf("; did you mean %q?", s)
	}
	return ""
}
