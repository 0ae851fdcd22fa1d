package schema_test

import (
	"errors"
	"fmt"
	"os"

	"github.com/mdmforge/mdmforge/profiles/schema"
)

// Explain takes a payload type followed by key names, the way a profile
// nests them.
func ExampleExplain() {
	e, err := schema.Explain("com.apple.security.scep.PayloadContent.Keysize")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e.Payload, e.Key, e.Type, e.Default, e.Allowed)
	// Output: com.apple.security.scep PayloadContent.Keysize integer 1024 [1024 2048 4096]
}

// A name that does not resolve says where resolution stopped, and
// suggests a name when one is close.
func ExampleNotFoundError() {
	_, err := schema.Explain("com.apple.eas.account.EnableMial")
	var nf *schema.NotFoundError
	if errors.As(err, &nf) {
		fmt.Println(err)
		fmt.Println("look under", nf.Nearest)
	}
	// Output:
	// com.apple.eas.account has no key "EnableMial"; did you mean "EnableMail"?
	// look under com.apple.eas.account
}

func ExampleExplanation_WriteText() {
	e, _ := schema.Explain("com.apple.security.scep.PayloadContent.Keysize")
	if err := e.WriteText(os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// KEY:         com.apple.security.scep.PayloadContent.Keysize
	// TYPE:        integer
	// PRESENCE:    optional
	// DEFAULT:     1024
	// ALLOWED:     1024, 2048, 4096
	// APPLE FILE:  com.apple.security.scep.yaml
	//
	// PLATFORMS:
	//   PLATFORM  INTRODUCED  DEPRECATED  REMOVED  SUPERVISED  INSTALL        USER ENROLLMENT  NOTES
	//   iOS       4.0         -           -        no          manual or MDM  allowed          Shared iPad: allowed
	//   macOS     10.7        -           -        no          manual or MDM  allowed          device and user channels
	//   tvOS      9.0         -           -        no          manual or MDM  -                -
	//   visionOS  1.0         -           -        no          manual or MDM  allowed          -
	//   watchOS   3.0         -           -        no          manual or MDM  -                -
}

// KeysUnder lists what may follow a path, which is what a shell
// completion or an editor offers next.
func ExampleKeysUnder() {
	keys, _ := schema.KeysUnder("com.apple.eas.account.Host")
	fmt.Println(len(keys))
	keys, _ = schema.KeysUnder("Configuration.ConsentText")
	for _, k := range keys {
		fmt.Println(k.Name, k.Type)
	}
	// Output:
	// 0
	// ConsentTextItem dictionary
}

func ExampleSummaries() {
	for _, p := range schema.Summaries() {
		if p.Type == "com.apple.eas.account" {
			fmt.Println(p.Type, p.Platforms[0].Platform, p.Platforms[0].Introduced)
		}
	}
	// Output: com.apple.eas.account iOS 4.0
}

func ExampleWriteSummaries() {
	var some []schema.PayloadSummary
	for _, s := range schema.Summaries() {
		if s.Type == "com.apple.eas.account" || s.Type == "com.apple.applicationaccess" {
			some = append(some, s)
		}
	}
	if err := schema.WriteSummaries(os.Stdout, some); err != nil {
		fmt.Println(err)
	}
	// Output:
	// TYPE                         PLATFORMS
	// com.apple.applicationaccess  iOS 4.0, macOS 10.7, tvOS 9.0, visionOS 1.1, watchOS 10.0
	// com.apple.eas.account        iOS 4.0, visionOS 1.1
}

// A per-app VPN has the VPN payload's keys besides its own, as Apple's
// description says; Inherits and InheritedKey tell them apart.
func ExamplePayload_InheritedKey() {
	p, _ := schema.Lookup("com.apple.vpn.managed.applayer")
	_, hasVPNType := p.Key("VPNType")
	fmt.Println(p.Inherits, hasVPNType, p.InheritedKey("VPNType"), p.InheritedKey("VPNUUID"))
	// Output: com.apple.vpn.managed true true false
}
