package suggest

import "testing"

func TestClosest(t *testing.T) {
	tests := []struct {
		word       string
		candidates []string
		want       string
	}{
		{"hots", []string{"host", "email"}, "host"},
		{"allow_open_from_managed_to_unmanaged", []string{"allowOpenFromManagedToUnmanaged", "allowCamera"}, "allowOpenFromManagedToUnmanaged"},
		{"SSID", []string{"HESSID", "SSID_STR"}, "SSID_STR"},
		{"zzzzzzzz", []string{"host", "email"}, ""},
		{"oath", []string{"oauth", "password", "certificate"}, "oauth"},
		{"x", nil, ""},
	}
	for _, tt := range tests {
		if got := Closest(tt.word, tt.candidates); got != tt.want {
			t.Errorf("Closest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}

func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"kitten", "sitting", 3}, {"café", "cafe", 1}, {"abc", "", 3}} {
		if got := Distance(tt.a, tt.b); got != tt.d {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.d)
		}
	}
}
