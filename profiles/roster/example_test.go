package roster_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/mdmforge/mdmforge/profiles"
	"github.com/mdmforge/mdmforge/profiles/roster"
)

// Build one Exchange profile per user of a CSV roster: every row is
// checked first, then the good ones are written.
func Example() {
	policy, ds := profiles.Decode("mail.yaml", []byte(`version: 1
profile: {name: mail, identifier: com.example.mail, min_ios: "13.0"}
exchange:
  host: outlook.office365.com
  email: ${user.email}
  username: ${user.upn}
  auth: oauth
`))
	if ds.Errors() > 0 {
		fmt.Println(ds)
		return
	}
	tmpl, err := policy.Template()
	if err != nil {
		fmt.Println(err)
		return
	}
	csv := "email,upn\nada@example.com,ada@corp.example.com\ngrace@example.com,\n"
	r, err := roster.NewReader(strings.NewReader(csv), "users.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	plan, problems, err := roster.Check(r, tmpl)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range problems {
		fmt.Println(d)
	}
	dir, _ := os.MkdirTemp("", "roster")
	defer os.RemoveAll(dir)
	n, err := plan.Write(dir, roster.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	fmt.Println(n, "written, named by", plan.KeyColumn()+":", filepath.Base(names[0]))
	// Output:
	// error: no upn (needed for ${user.upn})
	//     users.csv:3
	// 1 written, named by upn: ada@corp.example.com.mobileconfig
}

// FileName keeps distinct users apart, and away from names Windows
// refuses.
func ExampleFileName() {
	for _, user := range []string{"Ada@Example.com", "josé", "CON", ".hidden"} {
		fmt.Println(roster.FileName(user))
	}
	// Output:
	// ada@example.com
	// jos%c3%a9
	// %63on
	// %2ehidden
}
