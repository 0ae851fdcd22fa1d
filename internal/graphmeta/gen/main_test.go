package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// graphDir is ../shared/graph-metadata beside the repository.
const graphDir = "../../../../shared/graph-metadata"

// TestCommittedDataIsCurrent regenerates the data into a temporary
// directory and compares it with both committed copies, so that stale
// generated data fails. Run go generate ./internal/graphmeta to fix.
func TestCommittedDataIsCurrent(t *testing.T) {
	if _, err := os.Stat(filepath.Join(graphDir, "v1.0-Prod.csdl")); err != nil {
		t.Skipf("Microsoft's Graph metadata not present (%v); ../shared is not checked out beside the repository", err)
	}
	dir := t.TempDir()
	out, lic := filepath.Join(dir, "metadata.json"), filepath.Join(dir, "LICENSE.microsoft.txt")
	if err := run(graphDir, out, lic, ""); err != nil {
		t.Fatal(err)
	}
	for _, committed := range []string{"..", "../../../testdata/graph"} {
		for _, got := range []string{out, lic} {
			want := filepath.Join(committed, filepath.Base(got))
			g, err := os.ReadFile(got)
			if err != nil {
				t.Fatal(err)
			}
			w, err := os.ReadFile(want)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(g, w) {
				t.Errorf("%s is stale: run go generate ./internal/graphmeta", want)
			}
		}
	}
}

// TestGenerate checks the trimming, inheritance and versions on a small
// synthetic input.
func TestGenerate(t *testing.T) {
	src := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(src, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("SOURCE", "microsoftgraph/msgraph-metadata at commit 0123456789abcdef0123456789abcdef01234567 2026-01-02\nFiles: …\n")
	write("v1.0-Prod.csdl", `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="microsoft.graph" Alias="graph" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="entity" Abstract="true"><Property Name="id" Type="Edm.String" /></EntityType>
      <EntityType Name="deviceConfiguration" BaseType="graph.entity" Abstract="true">
        <Property Name="displayName" Type="Edm.String" />
        <NavigationProperty Name="assignments" Type="Collection(graph.deviceConfigurationAssignment)" />
      </EntityType>
      <EntityType Name="iosCustomConfiguration" BaseType="graph.deviceConfiguration">
        <Property Name="payload" Type="Edm.Binary" />
        <Property Name="pairs" Type="Collection(graph.keyValuePair)" />
      </EntityType>
      <EntityType Name="unrelated"><Property Name="x" Type="Edm.String" /></EntityType>
      <ComplexType Name="keyValuePair"><Property Name="name" Type="Edm.String" /></ComplexType>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
`)
	write("v1.0-entity-types.json", `{"microsoft.graph": {
  "entity": {"properties": ["id"], "navigationProperties": []},
  "deviceConfiguration": {"properties": ["displayName"], "navigationProperties": ["assignments"]},
  "iosCustomConfiguration": {"properties": ["pairs", "payload"], "navigationProperties": []},
  "unrelated": {"properties": ["x"], "navigationProperties": []}}}`)
	write("v1.0-complex-types.json", `{"microsoft.graph": {"keyValuePair": {"properties": ["name"], "navigationProperties": []}}}`)
	write("beta-entity-types.json", `{"microsoft.graph": {
  "entity": {"properties": ["id"], "navigationProperties": []},
  "deviceConfiguration": {"properties": ["displayName", "roleScopeTagIds"], "navigationProperties": ["assignments"]},
  "iosCustomConfiguration": {"properties": ["pairs", "payload"], "navigationProperties": []}}}`)
	write("beta-complex-types.json", `{"microsoft.graph": {"keyValuePair": {"properties": ["name", "extra"], "navigationProperties": []}}}`)
	saved := roots
	defer func() { roots = saved }()
	roots = []string{"iosCustomConfiguration"}
	got, err := generate(src)
	if err != nil {
		t.Fatal(err)
	}
	want := `{
 "format": "mdmforge-graph-metadata/1",
 "source": "https://github.com/microsoftgraph/msgraph-metadata",
 "commit": "0123456789abcdef0123456789abcdef01234567",
 "date": "2026-01-02",
 "license": "MIT, Copyright (c) 2018 Microsoft Graph, see LICENSE.microsoft.txt",
 "types": {
  "deviceConfiguration": {
   "kind": "entity",
   "base": "entity",
   "abstract": true,
   "versions": {
    "beta": {
     "properties": {
      "displayName": "Edm.String",
      "id": "Edm.String",
      "roleScopeTagIds": ""
     },
     "navigation": {
      "assignments": "Collection(deviceConfigurationAssignment)"
     }
    },
    "v1.0": {
     "properties": {
      "displayName": "Edm.String",
      "id": "Edm.String"
     },
     "navigation": {
      "assignments": "Collection(deviceConfigurationAssignment)"
     }
    }
   }
  },
  "entity": {
   "kind": "entity",
   "abstract": true,
   "versions": {
    "beta": {
     "properties": {
      "id": "Edm.String"
     }
    },
    "v1.0": {
     "properties": {
      "id": "Edm.String"
     }
    }
   }
  },
  "iosCustomConfiguration": {
   "kind": "entity",
   "base": "deviceConfiguration",
   "versions": {
    "beta": {
     "properties": {
      "displayName": "Edm.String",
      "id": "Edm.String",
      "pairs": "Collection(keyValuePair)",
      "payload": "Edm.Binary",
      "roleScopeTagIds": ""
     },
     "navigation": {
      "assignments": "Collection(deviceConfigurationAssignment)"
     }
    },
    "v1.0": {
     "properties": {
      "displayName": "Edm.String",
      "id": "Edm.String",
      "pairs": "Collection(keyValuePair)",
      "payload": "Edm.Binary"
     },
     "navigation": {
      "assignments": "Collection(deviceConfigurationAssignment)"
     }
    }
   }
  },
  "keyValuePair": {
   "kind": "complex",
   "versions": {
    "beta": {
     "properties": {
      "extra": "",
      "name": "Edm.String"
     }
    },
    "v1.0": {
     "properties": {
      "name": "Edm.String"
     }
    }
   }
  }
 }
}
`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	again, err := generate(src)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, again) {
		t.Error("two runs differ")
	}

	// A beta-only type whose base is not known is an error, not a type
	// with its inherited properties silently missing.
	roots = []string{"betaOnly"}
	write("beta-entity-types.json", `{"microsoft.graph": {"betaOnly": {"properties": ["a"], "navigationProperties": []}}}`)
	if _, err := generate(src); err == nil || !strings.Contains(err.Error(), "betaOnly") {
		t.Errorf("beta-only type without a base: err = %v", err)
	}
}
