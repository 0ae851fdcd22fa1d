package profiles

import "testing"

// TestWarningsAsErrors checks that a strict run counts the warnings it
// promotes and leaves the findings it was given as they were.
func TestWarningsAsErrors(t *testing.T) {
	ds := Diagnostics{{Severity: Warning, Message: "w"}, {Severity: Error, Message: "e"}, {Severity: Warning, Message: "w2"}}
	strict, n := ds.WarningsAsErrors()
	if n != 2 || strict.Errors() != 3 || ds.Errors() != 1 {
		t.Errorf("got %d promoted, %d errors; the original has %d errors", n, strict.Errors(), ds.Errors())
	}
	if got := NearestSetting("exchange.hots"); got != "exchange.host" {
		t.Errorf("NearestSetting(exchange.hots) = %q", got)
	}
}
