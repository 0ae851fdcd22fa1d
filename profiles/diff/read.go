package diff

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/mdmforge/mdmforge/internal/propertylist"
	"github.com/mdmforge/mdmforge/internal/termsafe"
	"github.com/mdmforge/mdmforge/profiles"
	"github.com/mdmforge/mdmforge/signing"
	"howett.net/plist"
)

// readProfile decodes a profile, unwrapping a signed one, and returns
// its signer.
func readProfile(e *entry) (map[string]any, *Signer, error) {
	data := e.data
	var signer *Signer
	if signing.IsSigned(data) {
		s, err := signing.Parse(data)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", e.source, err)
		}
		sum := sha256.Sum256(s.Signer.Raw)
		signer = &Signer{Subject: termsafe.String(s.Signer.Subject.String()), SHA256: strings.ToUpper(hex.EncodeToString(sum[:]))}
		data = s.Content
	}
	v, err := decodePlist(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", e.source, err)
	}
	top, _ := v.(map[string]any)
	if err := profiles.CheckProfileTree(top); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", e.source, err)
	}
	return top, signer, nil
}

func readPlist(e *entry) (any, error) {
	v, err := decodePlist(e.data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e.source, err)
	}
	return v, nil
}

// decodePlist decodes an XML or binary property list. The decoder also
// takes OpenStep text, which makes any word a string; no MDM reads that.
func decodePlist(data []byte) (any, error) {
	// Before any decoding: the decoder recurses once per level.
	if err := propertylist.CheckDepth(data); err != nil {
		return nil, err
	}
	var v any
	format, err := plist.Unmarshal(data, &v)
	if err != nil || format == plist.OpenStepFormat || format == plist.GNUStepFormat {
		return nil, errors.New("not a property list (XML or binary) or a signed profile")
	}
	return v, nil
}

func readJSON(e *entry) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(e.data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%s: not JSON: %v", e.source, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%s: not JSON: data after the value", e.source)
	}
	return v, nil
}
