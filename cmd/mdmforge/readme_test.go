package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// The README is the first hour of every new admin: these tests keep its
// install steps in line with go.mod and the Makefile, and its scenario
// troubleshooting complete, so neither rots silently.

func readFile(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// section returns the README section under the "## " heading that starts
// with title, up to the next such heading.
func section(t *testing.T, readme, title string) string {
	t.Helper()
	_, rest, ok := strings.Cut(readme, "\n## "+title)
	if !ok {
		t.Fatalf("README has no section %q", title)
	}
	s, _, _ := strings.Cut(rest, "\n## ")
	return s
}

func TestReadmeInstall(t *testing.T) {
	gomod := readFile(t, "../../go.mod")
	module := regexp.MustCompile(`(?m)^module (\S+)$`).FindStringSubmatch(gomod)
	goLine := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindStringSubmatch(gomod)
	if module == nil || goLine == nil {
		t.Fatal("go.mod has no module or go line")
	}
	install := section(t, readFile(t, "../../README.md"), "Install")
	build := "go build -o bin/mdmforge ./cmd/mdmforge"
	for _, want := range []string{
		"go install " + module[1] + "/cmd/mdmforge@latest",
		"Go " + goLine[1] + " or later",
		build,
		"make build",
		"mdmforge version",
	} {
		if !strings.Contains(install, want) {
			t.Errorf("README's Install section does not say %q", want)
		}
	}
	if !strings.Contains(readFile(t, "../../Makefile"), strings.Replace(build, "go ", "$(GO) ", 1)) {
		t.Errorf("make build no longer runs %q, as the README says", build)
	}
}

func TestReadmeTroubleshooting(t *testing.T) {
	s := section(t, readFile(t, "../../README.md"), "Troubleshooting")
	items := strings.Split(s, "\n- ")[1:]
	for _, want := range []string{
		"-ActiveSyncEnabled $true",                 // EAS enabled per mailbox
		"Need admin approval",                      // first OAuth sign-in
		"Contacts appear twice",                    // while Outlook's configuration arrives
		"in iOS and in Outlook",                    // two sign-ins when the token expires
		"below iOS 13",                             // data-type locks ignored
		"Require device to be marked as compliant", // Conditional Access
	} {
		found := false
		for _, item := range items {
			if strings.Contains(item, want) {
				found = true
				if !strings.Contains(item, "Source") || !strings.Contains(item, "Fix") && !strings.Contains(item, "expected") {
					t.Errorf("the troubleshooting item on %q lacks its fix or its source", want)
				}
			}
		}
		if !found {
			t.Errorf("README's troubleshooting does not cover %q", want)
		}
	}
}
