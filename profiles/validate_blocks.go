package profiles

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mdmforge/mdmforge/internal/suggest"
)

// The rules of the built-in blocks (exchange, restrictions, outlook) are
// apart from the rules every policy follows: each block's rules change
// with the Apple or Microsoft settings it compiles into, not with the
// format.

func (v *validation) exchange(e *Exchange) {
	p := v.p
	if h, ok := sample(e.Host); ok && h != "" && !validHost(h) {
		v.add(p.errorf("exchange.host", "%q is not a host name or IP address (no scheme, path or port)", e.Host))
	}
	if m, ok := sample(e.Email); ok && m != "" && !validEmail(m) {
		v.add(p.errorf("exchange.email", "%q is not an email address", e.Email))
	}
	if e.Username == "" {
		v.add(p.warnf("exchange", "username is not set; iOS needs it to install the account without asking, as MDM installs do (try ${user.upn})"))
	}
	switch e.Auth {
	case "":
		v.add(p.errorf("exchange.auth", "missing; choose %s", orList(authMethods)))
	case "oauth", "password", "certificate":
	default:
		msg := fmt.Sprintf("%q is not an authentication method; choose %s", e.Auth, orList(authMethods))
		if s := suggest.Closest(e.Auth, authMethods); s != "" {
			msg = fmt.Sprintf("%q is not an authentication method; did you mean %q?", e.Auth, s)
		}
		v.add(p.errorf("exchange.auth", "%s", msg))
	}
	if e.Password != "" {
		switch e.Auth {
		case "oauth":
			v.add(p.errorf("exchange.password", "OAuth accounts must not carry a password; remove it"))
		case "password":
			v.add(p.warnf("exchange.password", "the password is stored in plain text in the profile; leave it out and iOS asks the user"))
		case "certificate":
			v.add(p.errorf("exchange.password", "certificate accounts do not use a password; remove it"))
		}
	}
	if o := e.OAuth; o != nil {
		if e.Auth != "oauth" && e.Auth != "" {
			v.add(p.warnf("exchange.oauth", "iOS ignores the OAuth URLs unless auth is oauth"))
		}
		v.httpsURL("exchange.oauth.sign_in_url", o.SignInURL)
		v.httpsURL("exchange.oauth.token_request_url", o.TokenRequestURL)
		if o.SignInURL != "" && e.Host == "" {
			v.add(p.errorf("exchange.oauth.sign_in_url", "needs exchange.host: with a sign-in URL iOS skips autodiscovery and connects to the host"))
		}
	}
	switch {
	case e.Auth == "certificate" && e.Certificate == "":
		v.add(p.errorf("exchange.certificate", "missing; certificate authentication needs the name of a payloads entry holding the identity (com.apple.security.scep, com.apple.security.pkcs12, …)"))
	case e.Auth != "certificate" && e.Certificate != "":
		v.add(p.errorf("exchange.certificate", "only certificate authentication uses a certificate; set auth: certificate or remove it"))
	case e.Certificate != "":
		if pl := p.payload(e.Certificate); pl == nil {
			v.add(p.errorf("exchange.certificate", "no payloads entry is named %q%s", e.Certificate, didYouMean(e.Certificate, p.payloadNames())))
		} else if !identityPayloads[pl.Type] {
			v.add(p.errorf("exchange.certificate", "payload %q is %s, not an identity payload (com.apple.security.scep, .pkcs12, .acme)", pl.Name, pl.Type))
		}
	}

	sync := e.syncSet()
	seen := map[string]bool{}
	for i, t := range e.Sync {
		path := fmt.Sprintf("exchange.sync[%d]", i)
		switch {
		case !slices.Contains(dataTypes, t):
			v.add(p.errorf(path, "%q is not a data type; choose from %s%s", t, strings.Join(dataTypes, ", "), didYouMean(t, dataTypes)))
		case seen[t]:
			v.add(p.errorf(path, "%q is listed twice", t))
		}
		seen[t] = true
	}
	if e.Sync != nil && len(sync) == 0 {
		v.add(p.errorf("exchange.sync", "sync at least one data type (%s); iOS rejects an account with every type off", strings.Join(dataTypes, ", ")))
	}
	// Apple's schema reports values outside 0, 1, 3, 7, 14 and 31.
	if e.MailDays != nil && slices.Contains(mailDays, *e.MailDays) && !sync["mail"] {
		v.add(p.warnf("exchange.mail_days", "has no effect: mail is not synced"))
	}
	locks := e.UsersCanChangeSync != nil && !*e.UsersCanChangeSync
	if (locks || len(sync) < len(dataTypes)) && versionLess(p.Profile.MinIOS, "13.0") {
		path := "exchange.sync"
		if locks {
			path = "exchange.users_can_change_sync"
		}
		what := "the data-type choice and its lock need iOS 13 or later; older iOS syncs every type"
		if p.Profile.MinIOS == "" {
			v.add(p.warnf(path, "%s: set profile.min_ios to 13.0 or later to confirm your devices run it", what))
		} else {
			v.add(p.warnf(path, "%s, but profile.min_ios is %s", what, p.Profile.MinIOS))
		}
	}
}

var identityPayloads = map[string]bool{
	"com.apple.security.scep":   true,
	"com.apple.security.pkcs12": true,
	"com.apple.security.acme":   true,
}

func (v *validation) httpsURL(path, s string) {
	sampled, ok := sample(s)
	if s == "" || !ok {
		return
	}
	if !validHTTPSURL(sampled) {
		v.add(v.p.errorf(path, "%q is not an https:// URL", s))
	}
}

func (v *validation) restrictions(r *Restrictions) {
	p := v.p
	open := r.AllowOpenFromManagedToUnmanaged
	if open == nil || *open {
		for _, key := range []string{"allowManagedToWriteUnmanagedContacts", "allowUnmanagedToReadManagedContacts"} {
			path := "restrictions." + key
			if p.has(path) {
				v.add(p.warnf(path, "has no effect unless allowOpenFromManagedToUnmanaged is false"))
			}
		}
	}
	// Apple: with allowAccountModification false, "the system disables
	// modification of accounts such as ... Mail, Contacts, and Calendar"
	// (supervised devices). Entering the password, or signing in again when
	// an OAuth token expires, is such a modification, so the managed account
	// stays without credentials; an identity certificate needs no user.
	if m := r.AllowAccountModification; m != nil && !*m {
		if e := p.Exchange; e != nil && (e.Auth == "oauth" || e.Auth == "password") {
			v.add(p.warnf("restrictions.allowAccountModification", "false also stops users from entering their credentials in the managed Exchange account (auth: %s), so on supervised devices it never signs in; sign in with an identity certificate (auth: certificate) or leave allowAccountModification true", e.Auth))
		}
	}
}

func (v *validation) outlook(o *Outlook) {
	p := v.p
	e := p.Exchange
	if e == nil || !e.syncSet()["contacts"] {
		return
	}
	switch {
	case o.SaveContacts != nil && *o.SaveContacts:
		v.add(p.warnf("outlook.save_contacts", "is on while the Exchange account syncs contacts: users get every contact twice; set it to false"))
	case o.UsersCanChangeSaveContacts == nil || *o.UsersCanChangeSaveContacts:
		v.add(p.warnf("outlook", "users may turn Save Contacts back on while the Exchange account syncs contacts, duplicating them; set users_can_change_save_contacts: false"))
	}
}

// syncSet is the set of data types the account syncs. Apple's default, when
// the policy does not say, is every type.
func (e *Exchange) syncSet() map[string]bool {
	set := map[string]bool{}
	if e.Sync == nil {
		for _, t := range dataTypes {
			set[t] = true
		}
		return set
	}
	for _, t := range e.Sync {
		if slices.Contains(dataTypes, t) {
			set[t] = true
		}
	}
	return set
}
