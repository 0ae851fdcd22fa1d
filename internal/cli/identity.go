package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mdmforge/mdmforge/internal/userfile"
	"github.com/mdmforge/mdmforge/signing"
	"github.com/spf13/pflag"
)

// PasswordEnv holds the signing identity's password for unattended runs.
const PasswordEnv = "MDMFORGE_SIGNER_PASSWORD"

// maxSecretFile bounds password files, which hold one line.
const maxSecretFile = 64 << 10

// maxInputFile bounds profiles and certificates read by sign, verify and
// inspect; Intune itself refuses custom profiles over 1,000,000 bytes.
const maxInputFile = 16 << 20

// identityFlags select the signing identity. Passwords never come from the
// command line: they come from PasswordEnv, --password-file, or a prompt.
type identityFlags struct {
	P12          string
	Cert         string
	Key          string
	Chain        string
	PasswordFile string
}

func (f *identityFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.P12, "signer", "", "signing identity as a .p12/.pfx `FILE` (certificate, key and optionally its chain)")
	fs.StringVar(&f.Cert, "signer-cert", "", "signing certificate as a PEM `FILE`, optionally followed by its chain")
	fs.StringVar(&f.Key, "signer-key", "", "unencrypted private key as a PEM `FILE`, with --signer-cert")
	fs.StringVar(&f.Chain, "signer-chain", "", "intermediate CA certificates as a PEM `FILE`, with --signer-cert")
	fs.StringVar(&f.PasswordFile, "password-file", "", "read the .p12 password from the first line of `FILE`")
	completeFiles(fs, "signer", "p12", "pfx")
	completeFiles(fs, "signer-cert", "pem", "crt", "cer")
	completeFiles(fs, "signer-key", "pem", "key")
	completeFiles(fs, "signer-chain", "pem", "crt", "cer")
	completeFiles(fs, "password-file")
}

// given reports whether any identity flag was used.
func (f *identityFlags) given() bool {
	return f.P12 != "" || f.Cert != "" || f.Key != "" || f.Chain != "" || f.PasswordFile != ""
}

// check rejects flag combinations that cannot name one identity.
func (f *identityFlags) check() error {
	switch {
	case f.P12 != "" && (f.Cert != "" || f.Key != "" || f.Chain != ""):
		return errors.New("use either --signer FILE.p12 or --signer-cert and --signer-key, not both")
	case f.P12 == "" && f.Cert == "" && f.Key == "":
		return errors.New("no signing identity: give --signer FILE.p12, or --signer-cert and --signer-key")
	case f.P12 == "" && (f.Cert == "") != (f.Key == ""):
		return errors.New("--signer-cert and --signer-key go together")
	case f.PasswordFile != "" && f.P12 == "":
		return errors.New("--password-file is for --signer FILE.p12; PEM keys must be unencrypted")
	}
	return nil
}

// load reads the identity, asking for a password only when the .p12 needs
// one, and checks that it can sign at signingTime. It returns the
// identity's warnings, such as an incomplete chain.
func (f *identityFlags) load(streams *IO, signingTime time.Time) (*signing.Identity, []string, error) {
	if err := f.check(); err != nil {
		return nil, nil, err
	}
	var id *signing.Identity
	if f.P12 != "" {
		data, err := userfile.Read(f.P12, maxInputFile)
		if err != nil {
			return nil, nil, err
		}
		if id, err = f.loadP12(streams, data); err != nil {
			return nil, nil, err
		}
	} else {
		cert, err := userfile.Read(f.Cert, maxInputFile)
		if err != nil {
			return nil, nil, err
		}
		key, err := userfile.Read(f.Key, maxInputFile)
		if err != nil {
			return nil, nil, err
		}
		var chain []byte
		if f.Chain != "" {
			if chain, err = userfile.Read(f.Chain, maxInputFile); err != nil {
				return nil, nil, err
			}
		}
		if id, err = signing.LoadPEM(cert, key, chain); err != nil {
			if errors.Is(err, signing.ErrEncryptedKey) {
				return nil, nil, withHint(err, f.p12Command())
			}
			return nil, nil, err
		}
	}
	now := time.Now()
	warnings, err := id.Check(now)
	if err != nil {
		return nil, nil, err
	}
	c := id.Certificate
	if signingTime.Before(c.NotBefore) || signingTime.After(c.NotAfter) {
		return nil, nil, fmt.Errorf("the signing time %s (from SOURCE_DATE_EPOCH) is outside the certificate's validity, %s to %s",
			signingTime.UTC().Format(time.RFC3339), c.NotBefore.UTC().Format(time.RFC3339), c.NotAfter.UTC().Format(time.RFC3339))
	}
	return id, warnings, nil
}

func (f *identityFlags) loadP12(streams *IO, data []byte) (*signing.Identity, error) {
	password, source, err := f.password()
	if err != nil {
		return nil, err
	}
	load := func(password, source string) (*signing.Identity, error) {
		id, err := signing.LoadPKCS12(data, password)
		switch {
		case errors.Is(err, signing.ErrWrongPassword) && source != "":
			return nil, fmt.Errorf("%s: wrong password (from %s)", f.P12, source)
		case err != nil:
			return nil, fmt.Errorf("%s: %w", f.P12, err)
		}
		return id, nil
	}
	if source != "" {
		return load(password, source)
	}
	// No password given: a .p12 without one loads as is; otherwise ask on a
	// terminal, and explain the unattended options anywhere else.
	if id, err := signing.LoadPKCS12(data, ""); !errors.Is(err, signing.ErrWrongPassword) {
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.P12, err)
		}
		return id, nil
	}
	if streams.ReadPassword == nil {
		return nil, withHint(fmt.Errorf("%s is password-protected and no password was given", f.P12),
			"set "+PasswordEnv+", or use --password-file FILE, or run in a terminal to be asked")
	}
	password, err = streams.ReadPassword(fmt.Sprintf("Password for %s: ", f.P12))
	if err != nil {
		return nil, fmt.Errorf("reading the password: %w", err)
	}
	return load(password, "the prompt")
}

// password returns the password from --password-file or the environment,
// and where it came from; both at once is an error, to avoid guessing.
func (f *identityFlags) password() (password, source string, err error) {
	env, envSet := os.LookupEnv(PasswordEnv)
	switch {
	case f.PasswordFile != "" && envSet:
		return "", "", fmt.Errorf("both --password-file and %s are set; use one", PasswordEnv)
	case f.PasswordFile != "":
		data, err := userfile.Read(f.PasswordFile, maxSecretFile)
		if err != nil {
			return "", "", err
		}
		line, _, _ := bytes.Cut(data, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			return "", "", fmt.Errorf("%s: the password file is empty", f.PasswordFile)
		}
		return string(line), "--password-file", nil
	case envSet:
		return env, PasswordEnv, nil
	}
	return "", "", nil
}

// signingTime is SOURCE_DATE_EPOCH when set, so a build signed with an RSA
// key is byte-identical across runs, and otherwise now.
func signingTime() (time.Time, error) {
	s, ok := os.LookupEnv("SOURCE_DATE_EPOCH")
	if !ok || s == "" {
		return time.Now().UTC().Truncate(time.Second), nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q is not a Unix time in seconds", s)
	}
	return time.Unix(n, 0).UTC(), nil
}

// p12Command is the command that turns the PEM files given into a .p12
// beside the key, and the flag that then loads it: openssl asks for the
// key's passphrase and a password for the .p12.
func (f *identityFlags) p12Command() string {
	out := strings.TrimSuffix(f.Key, filepath.Ext(f.Key)) + ".p12"
	cmd := "openssl pkcs12 -export -inkey " + shellQuote(f.Key) + " -in " + shellQuote(f.Cert)
	if f.Chain != "" {
		cmd += " -certfile " + shellQuote(f.Chain)
	}
	return cmd + " -out " + shellQuote(out) + ", then sign with --signer " + shellQuote(out)
}

// shellQuote quotes s for a POSIX shell when it holds anything but the
// characters file names are usually made of.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/-+@:,=") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
