package propertylist

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ReadXML strictly decodes an XML property list into plist values. It
// is the per-profile read-back of roster builds, where encoding/xml would
// cost more than everything else; it accepts the XML that Apple's tools and
// AppendXML write and refuses anything else.
func ReadXML(data []byte) (any, error) {
	r := &plistReader{data: data}
	r.skipProlog()
	if !r.consume("<plist") {
		return nil, r.fail("no <plist> element")
	}
	if i := bytes.IndexByte(r.data[r.pos:], '>'); i < 0 {
		return nil, r.fail("unterminated <plist>")
	} else {
		r.pos += i + 1
	}
	v, err := r.value()
	if err != nil {
		return nil, err
	}
	r.space()
	if !r.consume("</plist>") {
		return nil, r.fail("want </plist>")
	}
	r.space()
	if r.pos != len(r.data) {
		return nil, r.fail("trailing data")
	}
	return v, nil
}

type plistReader struct {
	data  []byte
	pos   int
	depth int // dictionaries and arrays open, for MaxDepth
}

func (r *plistReader) fail(msg string) error {
	return fmt.Errorf("property list at byte %d: %s", r.pos, msg)
}

func (r *plistReader) space() {
	for r.pos < len(r.data) && strings.IndexByte(" \t\r\n", r.data[r.pos]) >= 0 {
		r.pos++
	}
}

func (r *plistReader) consume(s string) bool {
	if bytes.HasPrefix(r.data[r.pos:], []byte(s)) {
		r.pos += len(s)
		return true
	}
	return false
}

// skipProlog passes the XML declaration, the DOCTYPE and comments.
func (r *plistReader) skipProlog() {
	for {
		r.space()
		var end string
		switch {
		case r.consume("<?"):
			end = "?>"
		case r.consume("<!--"):
			end = "-->"
		case r.consume("<!"):
			end = ">"
		default:
			return
		}
		i := bytes.Index(r.data[r.pos:], []byte(end))
		if i < 0 {
			r.pos = len(r.data)
			return
		}
		r.pos += i + len(end)
	}
}

// tag reads "<name>" or "<name/>" and reports which.
func (r *plistReader) tag() (name string, empty bool, err error) {
	r.space()
	if !r.consume("<") {
		return "", false, r.fail("want an element")
	}
	i := bytes.IndexByte(r.data[r.pos:], '>')
	if i < 0 {
		return "", false, r.fail("unterminated element")
	}
	name = string(r.data[r.pos : r.pos+i])
	r.pos += i + 1
	if strings.HasSuffix(name, "/") {
		return strings.TrimSuffix(name, "/"), true, nil
	}
	return name, false, nil
}

// text reads character data up to "</name>" and unescapes it.
func (r *plistReader) text(name string) (string, error) {
	end := []byte("</" + name + ">")
	i := bytes.Index(r.data[r.pos:], end)
	if i < 0 {
		return "", r.fail("unterminated <" + name + ">")
	}
	raw := r.data[r.pos : r.pos+i]
	r.pos += i + len(end)
	if bytes.IndexByte(raw, '<') >= 0 {
		return "", r.fail("markup inside <" + name + ">")
	}
	return unescapeXML(raw)
}

// enter opens a dictionary or array. value recurses once per level, so the
// same limit as for the decoder keeps a deep document from exhausting the
// stack.
func (r *plistReader) enter() error {
	if r.depth++; r.depth > MaxDepth {
		return r.fail(errTooDeep.Error())
	}
	return nil
}

func (r *plistReader) value() (any, error) {
	name, empty, err := r.tag()
	if err != nil {
		return nil, err
	}
	switch name {
	case "true", "false":
		if !empty {
			if !r.consume("</" + name + ">") {
				return nil, r.fail("want </" + name + ">")
			}
		}
		return name == "true", nil
	case "dict":
		m := map[string]any{}
		if err := r.enter(); err != nil {
			return nil, err
		}
		if empty {
			r.depth--
			return m, nil
		}
		for {
			r.space()
			if r.consume("</dict>") {
				r.depth--
				return m, nil
			}
			kn, kempty, err := r.tag()
			if err != nil {
				return nil, err
			}
			if kn != "key" {
				return nil, r.fail("want <key> in <dict>, got <" + kn + ">")
			}
			k := ""
			if !kempty {
				if k, err = r.text("key"); err != nil {
					return nil, err
				}
			}
			if _, dup := m[k]; dup {
				return nil, r.fail("key " + strconv.Quote(k) + " twice")
			}
			if m[k], err = r.value(); err != nil {
				return nil, err
			}
		}
	case "array":
		a := []any{}
		if err := r.enter(); err != nil {
			return nil, err
		}
		if empty {
			r.depth--
			return a, nil
		}
		for {
			r.space()
			if r.consume("</array>") {
				r.depth--
				return a, nil
			}
			v, err := r.value()
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
	}
	s := ""
	if !empty {
		if s, err = r.text(name); err != nil {
			return nil, err
		}
	}
	switch name {
	case "string":
		return s, nil
	case "integer":
		return strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	case "real":
		return strconv.ParseFloat(strings.TrimSpace(s), 64)
	case "data":
		return base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
	case "date":
		return time.Parse(time.RFC3339, strings.TrimSpace(s))
	}
	return nil, r.fail("unknown element <" + name + ">")
}

var errEntity = errors.New("unknown XML entity")

func unescapeXML(raw []byte) (string, error) {
	if bytes.IndexByte(raw, '&') < 0 {
		return string(raw), nil
	}
	var b strings.Builder
	for len(raw) > 0 {
		i := bytes.IndexByte(raw, '&')
		if i < 0 {
			b.Write(raw)
			break
		}
		b.Write(raw[:i])
		raw = raw[i:]
		j := bytes.IndexByte(raw, ';')
		if j < 0 {
			return "", errEntity
		}
		ent := string(raw[1:j])
		raw = raw[j+1:]
		switch ent {
		case "amp":
			b.WriteByte('&')
		case "lt":
			b.WriteByte('<')
		case "gt":
			b.WriteByte('>')
		case "quot":
			b.WriteByte('"')
		case "apos":
			b.WriteByte('\'')
		default:
			var n uint64
			var err error
			switch {
			case strings.HasPrefix(ent, "#x"):
				n, err = strconv.ParseUint(ent[2:], 16, 32)
			case strings.HasPrefix(ent, "#"):
				n, err = strconv.ParseUint(ent[1:], 10, 32)
			default:
				return "", errEntity
			}
			if err != nil {
				return "", errEntity
			}
			b.WriteRune(rune(n))
		}
	}
	return b.String(), nil
}
