package outdir

import "testing"

func TestSameManifest(t *testing.T) {
	const unsigned = `{"path": "p.mobileconfig", "sha256": "aa", "size": 1, "policy": "../p.yaml"}`
	m := func(outputs ...string) []byte {
		s := `{"outputs": [`
		for i, o := range outputs {
			if i > 0 {
				s += ","
			}
			s += o
		}
		return []byte(s + `]}`)
	}
	signed := func(hash, signer string) string {
		return `{"path": "p.signed.mobileconfig", "sha256": "` + hash + `", "size": 2, "policy": "../p.yaml", "signer": "` + signer + `"}`
	}
	tests := []struct {
		name             string
		committed, built []byte
		want             bool
	}{
		{"same", m(unsigned), m(unsigned), true},
		{"built without the identity", m(unsigned, signed("bb", "sha256:1")), m(unsigned), true},
		{"re-signed by the same identity", m(unsigned, signed("bb", "sha256:1")), m(unsigned, signed("cc", "sha256:1")), true},
		{"committed signer is not the identity", m(unsigned, signed("bb", "sha256:2")), m(unsigned, signed("cc", "sha256:1")), false},
		{"committed records no signer", m(unsigned, signed("bb", "")), m(unsigned, signed("cc", "sha256:1")), false},
		{"unsigned line differs", m(`{"path": "p.mobileconfig", "sha256": "ab", "size": 1, "policy": "../p.yaml"}`), m(unsigned), false},
		{"written by another version", []byte(`{"mdmforge": "v0.9.0", "outputs": [` + unsigned + `]}`), m(unsigned), true},
		{"not JSON", []byte("{"), m(unsigned), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sameManifest(tt.committed, tt.built); got != tt.want {
				t.Errorf("sameManifest = %v, want %v", got, tt.want)
			}
		})
	}
}
