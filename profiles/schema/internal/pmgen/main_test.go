package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// factsDir is ../shared/profile-manifests beside the repository.
const factsDir = "../../../../../shared/profile-manifests"

// TestCommittedDataIsCurrent regenerates manifests.jsonl and compares it
// with the committed file, so that stale generated data fails. Run
// go generate ./profiles/schema to fix. A fresh clone without ../shared
// skips it: the committed copy is what ships.
func TestCommittedDataIsCurrent(t *testing.T) {
	if _, err := os.Stat(filepath.Join(factsDir, "keys.jsonl")); err != nil {
		t.Skipf("ProfileManifests' facts not present (%v); ../shared is not checked out beside the repository", err)
	}
	got, _, err := generate(factsDir)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../manifests.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("manifests.jsonl is stale: run go generate ./profiles/schema")
	}
	again, _, err := generate(factsDir)
	if err != nil || !bytes.Equal(got, again) {
		t.Errorf("two runs differ (err %v)", err)
	}
}

const source = `repo: https://github.com/ProfileManifests/ProfileManifests (read from git mirror, HEAD)
commit: e4b340f9a83f6ab46c3dea53e71d6ed75e334d46
date: 2026-08-18T15:00:54+00:00 (commit date)
note: facts only
`

// TestGenerate checks inheritance, merging, placeholders, dotted names and
// arrays on a small input, given in an order unlike extract.py's.
func TestGenerate(t *testing.T) {
	src := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(src, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("SOURCE", source)
	write("keys.jsonl", `{"domain":"com.example.r","kind":"apple-payload","manifest":"ManifestsApple/com.example.r-macOS.plist","manifest_platforms":["macOS"],"manifest_min":{"macOS":"10.15"},"path":"allowX","type":"boolean"}
{"domain":"com.example.r","kind":"apple-payload","manifest":"ManifestsApple/com.example.r-iOS.plist","manifest_platforms":["iOS"],"manifest_min":{"iOS":"13.0"},"manifest_supervised":true,"path":"allowX","type":"boolean","min":{"iOS":"26.0"}}
{"domain":"com.example.r","kind":"apple-payload","manifest":"ManifestsApple/com.example.r-iOS.plist","manifest_platforms":["iOS"],"manifest_min":{"iOS":"13.0"},"manifest_supervised":true,"path":"Level","type":"integer","allowed":[0.0,1,2],"range":[0,null]}
{"domain":"org.example.app","kind":"application","manifest":"ManagedPreferencesApplications/org.example.app.plist","manifest_platforms":["macOS"],"path":"Ext","type":"dictionary","app_min":"1.0"}
{"domain":"org.example.app","kind":"application","manifest":"ManagedPreferencesApplications/org.example.app.plist","manifest_platforms":["macOS"],"path":"Ext.{{key}}","type":"string"}
{"domain":"org.example.app","kind":"application","manifest":"ManagedPreferencesApplications/org.example.app.plist","manifest_platforms":["macOS"],"path":"Ext.{{value}}","type":"dictionary"}
{"domain":"org.example.app","kind":"application","manifest":"ManagedPreferencesApplications/org.example.app.plist","manifest_platforms":["macOS"],"path":"Ext.{{value}}.mode","type":"string","allowed":["a","b"]}
{"domain":"org.example.app","kind":"application","manifest":"ManagedPreferencesApplications/org.example.app.plist","manifest_platforms":["macOS"],"path":"com.example.Dotted","type":"float"}
{"domain":"org.example.app","kind":"application","manifest":"ManagedPreferencesApplications/org.example.app.plist","manifest_platforms":["macOS"],"path":"PFC_SegmentedControl_0","type":"string"}
{"domain":"org.example.app","kind":"application","manifest":"ManagedPreferencesApplications/org.example.app.plist","manifest_platforms":["macOS"],"path":"Schedule","type":"dictionary"}
{"domain":"org.example.app","kind":"application","manifest":"ManagedPreferencesApplications/org.example.app.plist","manifest_platforms":["macOS"],"path":"Schedule.weekdays","type":"integer"}
{"domain":"org.example.app","kind":"application","manifest":"ManagedPreferencesApplications/org.example.app.plist","manifest_platforms":["macOS"],"path":"Schedule.weekdays.weekday","type":"integer","allowed":[1,2,4]}
{"domain":"org.example.app","kind":"application","manifest":"ManagedPreferencesApplications/org.example.app.plist","manifest_platforms":["macOS"],"path":"List","type":"array","required":true,"require_mode":"push"}
{"domain":"org.example.app","kind":"application","manifest":"ManagedPreferencesApplications/org.example.app.plist","manifest_platforms":["macOS"],"path":"List[]","type":"dictionary"}
{"domain":"org.example.app","kind":"application","manifest":"ManagedPreferencesApplications/org.example.app.plist","manifest_platforms":["macOS"],"path":"List[].Name","type":"string","required":true,"min":{"macOS":"14.0"}}
`)
	got, st, err := generate(src)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"format":"mdmforge-profilemanifests-facts/1","source":"https://github.com/ProfileManifests/ProfileManifests","commit":"e4b340f9a83f6ab46c3dea53e71d6ed75e334d46","date":"2026-08-18","facts":"facts only: key names, types, platforms, OS versions, supervision, allowed values, ranges, formats and required flags; no titles, descriptions, defaults or other text. The repository has no licence at this commit."}
{"domain":"com.example.r","kind":"payload","os":{"iOS":{"min":"13.0","supervised":true},"macOS":{"min":"10.15"}}}
{"key":"Level","type":"integer","allowed":[0,1,2],"range":{"min":0},"os":{"iOS":{"min":"13.0","supervised":true}}}
{"key":"allowX","type":"boolean","os":{"iOS":{"min":"26.0","supervised":true},"macOS":{"min":"10.15"}}}
{"domain":"org.example.app","kind":"application","os":{"macOS":{}}}
{"key":"Ext","type":"dictionary"}
  {"key":"ANY","type":"dictionary"}
    {"key":"mode","type":"string","allowed":["a","b"]}
{"key":"List","type":"array"}
  {"key":"Item","type":"dictionary"}
    {"key":"Name","type":"string","required":true,"os":{"macOS":{"min":"14.0"}}}
{"key":"Schedule","type":"dictionary"}
  {"key":"weekdays","type":"integer"}
{"key":"com.example.Dotted","type":"real"}
`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if st.manifests != 3 || st.domains != 2 {
		t.Errorf("stats %+v", st)
	}

	// Unknown fields are errors, so new facts are not lost silently.
	write("keys.jsonl", `{"domain":"d","kind":"application","manifest":"m","manifest_platforms":["macOS"],"path":"K","type":"string","newfact":1}`+"\n")
	if _, _, err := generate(src); err == nil || !strings.Contains(err.Error(), "newfact") {
		t.Errorf("unknown field: err = %v", err)
	}
	write("SOURCE", "commit: nope\n")
	if _, _, err := generate(src); err == nil || !strings.Contains(err.Error(), "SOURCE") {
		t.Errorf("bad SOURCE: err = %v", err)
	}
}
