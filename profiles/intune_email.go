package profiles

import "strings"

// Values of Intune's native email profile (email.json) read back from the
// Exchange payload they are built from, so that a review can tell a copy of
// the profile's change from an edit of the bundle alone.

// EmailServices is the easServices value email.json holds for a
// com.apple.eas.account payload: the data types its EnableMail,
// EnableContacts, EnableCalendars, EnableReminders and EnableNotes keys
// turn on, written as Graph's flags enum ("contacts,calendars", or "none").
func EmailServices(payload map[string]any) string {
	sync := map[string]bool{}
	for _, t := range dataTypes {
		on, _ := payload["Enable"+strings.ToUpper(t[:1])+t[1:]].(bool)
		sync[t] = on
	}
	return easServicesValue(sync)
}

// EmailSyncDuration is the durationOfEmailToSync value email.json holds for
// an Exchange payload's MailNumberOfPastDaysToSync, and false for a number
// of days Graph has no value for.
func EmailSyncDuration(days int64) (string, bool) {
	d, ok := emailSyncDurations[int(days)]
	return d, ok
}
