package sheet

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// xmlScanner is a streaming tokenizer for the XML parts of an .xlsx. It
// exists because encoding/xml hands over a text node only whole — so one
// 190 MB cell is 190 MB of memory before anyone can look at its length —
// and because excelize ignores the decoder's errors, so a file with an
// illegal character lost every row after it without a word. The scanner
// reads a bounded amount of text into the caller's buffer and skips the
// rest, and every malformed construct is an error.
//
// It understands what SpreadsheetML uses: elements (names are compared
// without their namespace prefix), attributes, character data with the five
// predefined entities and character references, CDATA sections, comments
// and processing instructions. A DOCTYPE is refused: workbooks have none,
// and refusing it rules out entity expansion.
type xmlScanner struct {
	src  io.Reader
	buf  []byte
	pos  int
	n    int
	eof  bool
	read int64 // bytes consumed before buf[0]

	// The last tag read by nextTag.
	name  []byte // local name
	end   bool   // a closing tag </name>
	empty bool   // a self-closing tag <name/>
	attrs []xmlAttr
	abuf  []byte // attribute names and values
}

type xmlAttr struct{ name, value []byte }

// maxTagBytes bounds one tag with its attributes; the longest a workbook
// writes is a number format code.
const maxTagBytes = 64 << 10

// errXML is a malformed part; errXMLChar a character XML does not allow.
var errXML = errors.New("malformed XML")

type xmlCharError struct{ r rune }

func (e xmlCharError) Error() string {
	return fmt.Sprintf("character U+%04X is not allowed in XML", e.r)
}

func newXMLScanner(r io.Reader) *xmlScanner {
	return &xmlScanner{src: r, buf: make([]byte, 64<<10)}
}

// fill moves unread bytes to the front and reads more. It returns false at
// the end of input.
func (s *xmlScanner) fill() (bool, error) {
	if s.eof {
		return false, nil
	}
	if s.pos > 0 {
		s.read += int64(s.pos)
		s.n = copy(s.buf, s.buf[s.pos:s.n])
		s.pos = 0
	}
	for s.n < len(s.buf) {
		m, err := s.src.Read(s.buf[s.n:])
		s.n += m
		if errors.Is(err, io.EOF) {
			s.eof = true
			break
		}
		if err != nil {
			return false, err
		}
		if m > 0 {
			break
		}
	}
	return s.pos < s.n, nil
}

// byte returns the next byte, or io.ErrUnexpectedEOF.
func (s *xmlScanner) byte() (byte, error) {
	if s.pos >= s.n {
		ok, err := s.fill()
		if err != nil {
			return 0, err
		}
		if !ok {
			return 0, io.ErrUnexpectedEOF
		}
	}
	c := s.buf[s.pos]
	s.pos++
	return c, nil
}

// peek returns the next byte without consuming it; ok is false at the end.
func (s *xmlScanner) peek() (byte, bool, error) {
	if s.pos >= s.n {
		ok, err := s.fill()
		if err != nil || !ok {
			return 0, false, err
		}
	}
	return s.buf[s.pos], true, nil
}

// peekAt returns the byte k places ahead without consuming anything; ok
// is false when the input ends before it.
func (s *xmlScanner) peekAt(k int) (byte, bool, error) {
	for s.pos+k >= s.n {
		before := s.n - s.pos
		ok, err := s.fill()
		if err != nil {
			return 0, false, err
		}
		if !ok || s.n-s.pos == before {
			return 0, false, nil
		}
	}
	return s.buf[s.pos+k], true, nil
}

// rune reads one UTF-8 character whose first byte c was already read,
// checking that XML allows it.
func (s *xmlScanner) rune(c byte) (rune, error) {
	if c < utf8.RuneSelf {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return 0, xmlCharError{rune(c)}
		}
		return rune(c), nil
	}
	var b [utf8.UTFMax]byte
	b[0] = c
	n := 1
	for ; n < utf8.UTFMax && !utf8.FullRune(b[:n]); n++ {
		x, err := s.byte()
		if err != nil {
			return 0, err
		}
		b[n] = x
	}
	r, size := utf8.DecodeRune(b[:n])
	if r == utf8.RuneError && size <= 1 {
		return 0, fmt.Errorf("%w: invalid UTF-8", errXML)
	}
	if size < n {
		// The decoder stopped early: the bytes after the first were not
		// continuation bytes.
		return 0, fmt.Errorf("%w: invalid UTF-8", errXML)
	}
	if r == 0xFFFE || r == 0xFFFF {
		return 0, xmlCharError{r}
	}
	return r, nil
}

// skipUntil consumes bytes up to and including the terminator term,
// checking each character.
func (s *xmlScanner) skipUntil(term string) error {
	matched := 0
	for {
		c, err := s.byte()
		if err != nil {
			return err
		}
		if _, err := s.rune(c); err != nil {
			return err
		}
		switch {
		case c == term[matched]:
			matched++
			if matched == len(term) {
				return nil
			}
		case c == term[0]:
			matched = 1
		default:
			matched = 0
		}
	}
}

// expect consumes the literal lit.
func (s *xmlScanner) expect(lit string) error {
	for i := 0; i < len(lit); i++ {
		c, err := s.byte()
		if err != nil {
			return err
		}
		if c != lit[i] {
			return errXML
		}
	}
	return nil
}

// nextTag skips character data, comments and processing instructions up
// to the next element tag and reads it into name, end, empty and attrs. It
// returns io.EOF when the input ends between elements.
func (s *xmlScanner) nextTag() error {
	for {
		c, err := s.byte()
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return io.EOF
		}
		if err != nil {
			return err
		}
		if c != '<' {
			if _, err := s.rune(c); err != nil {
				return err
			}
			if c == '&' {
				if _, err := s.entity(nil); err != nil {
					return err
				}
			}
			continue
		}
		done, err := s.markup()
		if err != nil {
			return err
		}
		if done {
			return nil
		}
	}
}

// markup reads what follows a '<'. It returns true when that was an element
// tag (now in name, end, empty, attrs) and false when it was a comment,
// processing instruction or CDATA section (skipped).
func (s *xmlScanner) markup() (bool, error) {
	c, err := s.byte()
	if err != nil {
		return false, err
	}
	switch c {
	case '?':
		return false, s.skipUntil("?>")
	case '!':
		c, err := s.byte()
		if err != nil {
			return false, err
		}
		switch c {
		case '-':
			if err := s.expect("-"); err != nil {
				return false, err
			}
			return false, s.skipUntil("-->")
		case '[':
			if err := s.expect("CDATA["); err != nil {
				return false, err
			}
			return false, s.skipUntil("]]>")
		}
		return false, fmt.Errorf("%w: DOCTYPE or unknown declaration", errXML)
	case '/':
		s.end, s.empty = true, false
		if err := s.readName(); err != nil {
			return false, err
		}
		if err := s.skipSpace(); err != nil {
			return false, err
		}
		return true, s.expect(">")
	}
	s.pos-- // c starts the name
	s.end, s.empty = false, false
	if err := s.readName(); err != nil {
		return false, err
	}
	return true, s.readAttrs()
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == ':' || c == '_' || c == '-' || c == '.' || c >= 0x80
}

// readName reads an element name into s.name, keeping its local part.
func (s *xmlScanner) readName() error {
	s.abuf = s.abuf[:0]
	name, err := s.readToken()
	if err != nil {
		return err
	}
	s.name = localName(name)
	return nil
}

// readToken reads a name into abuf and returns it.
func (s *xmlScanner) readToken() ([]byte, error) {
	start := len(s.abuf)
	for {
		c, ok, err := s.peek()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, io.ErrUnexpectedEOF
		}
		if !isNameByte(c) {
			break
		}
		s.pos++
		s.abuf = append(s.abuf, c)
		if len(s.abuf) > maxTagBytes {
			return nil, fmt.Errorf("%w: tag too long", errXML)
		}
	}
	if len(s.abuf) == start {
		return nil, fmt.Errorf("%w: name expected", errXML)
	}
	return s.abuf[start:], nil
}

func localName(b []byte) []byte {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == ':' {
			return b[i+1:]
		}
	}
	return b
}

func (s *xmlScanner) skipSpace() error {
	for {
		c, ok, err := s.peek()
		if err != nil {
			return err
		}
		if !ok {
			return io.ErrUnexpectedEOF
		}
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return nil
		}
		s.pos++
	}
}

// readAttrs reads the attributes of a start tag up to its '>' or '/>'.
// Names and values live in abuf; values have entities resolved.
func (s *xmlScanner) readAttrs() error {
	s.attrs = s.attrs[:0]
	var spans [16]attrSpan
	list := spans[:0]
	for {
		if err := s.skipSpace(); err != nil {
			return err
		}
		c, err := s.byte()
		if err != nil {
			return err
		}
		switch c {
		case '>':
			return s.setAttrs(list)
		case '/':
			if err := s.expect(">"); err != nil {
				return err
			}
			s.empty = true
			return s.setAttrs(list)
		}
		s.pos--
		var sp attrSpan
		sp.ns = len(s.abuf)
		if _, err := s.readToken(); err != nil {
			return err
		}
		sp.ne = len(s.abuf)
		if err := s.skipSpace(); err != nil {
			return err
		}
		if err := s.expect("="); err != nil {
			return err
		}
		if err := s.skipSpace(); err != nil {
			return err
		}
		q, err := s.byte()
		if err != nil {
			return err
		}
		if q != '"' && q != '\'' {
			return fmt.Errorf("%w: attribute value must be quoted", errXML)
		}
		sp.vs = len(s.abuf)
		for {
			c, err := s.byte()
			if err != nil {
				return err
			}
			if c == q {
				break
			}
			switch c {
			case '<':
				return fmt.Errorf("%w: '<' in attribute value", errXML)
			case '&':
				if s.abuf, err = s.entity(s.abuf); err != nil {
					return err
				}
			default:
				r, err := s.rune(c)
				if err != nil {
					return err
				}
				s.abuf = utf8.AppendRune(s.abuf, r)
			}
			if len(s.abuf) > maxTagBytes {
				return fmt.Errorf("%w: tag too long", errXML)
			}
		}
		sp.ve = len(s.abuf)
		list = append(list, sp)
	}
}

// attrSpan locates one attribute's name and value in abuf.
type attrSpan struct{ ns, ne, vs, ve int }

func (s *xmlScanner) setAttrs(list []attrSpan) error {
	for _, sp := range list {
		s.attrs = append(s.attrs, xmlAttr{name: localName(s.abuf[sp.ns:sp.ne]), value: s.abuf[sp.vs:sp.ve]})
	}
	return nil
}

// attr returns the value of the last tag's attribute with local name n.
func (s *xmlScanner) attr(n string) ([]byte, bool) {
	for _, a := range s.attrs {
		if string(a.name) == n {
			return a.value, true
		}
	}
	return nil, false
}

// is reports whether the last tag is a start (or self-closing) tag named n.
func (s *xmlScanner) is(n string) bool { return !s.end && string(s.name) == n }

// isEnd reports whether the last tag is the closing tag named n.
func (s *xmlScanner) isEnd(n string) bool { return s.end && string(s.name) == n }

// entity reads an entity or character reference after '&' and appends its
// text to dst.
func (s *xmlScanner) entity(dst []byte) ([]byte, error) {
	var name [12]byte
	n := 0
	for {
		c, err := s.byte()
		if err != nil {
			return dst, err
		}
		if c == ';' {
			break
		}
		if n == len(name) {
			return dst, fmt.Errorf("%w: unterminated entity", errXML)
		}
		name[n] = c
		n++
	}
	e := string(name[:n])
	switch e {
	case "lt":
		return append(dst, '<'), nil
	case "gt":
		return append(dst, '>'), nil
	case "amp":
		return append(dst, '&'), nil
	case "quot":
		return append(dst, '"'), nil
	case "apos":
		return append(dst, '\''), nil
	}
	if len(e) > 1 && e[0] == '#' {
		var v uint64
		var err error
		if e[1] == 'x' {
			v, err = strconv.ParseUint(e[2:], 16, 32)
		} else {
			v, err = strconv.ParseUint(e[1:], 10, 32)
		}
		r := rune(v)
		if err == nil && validXMLRune(r) {
			return utf8.AppendRune(dst, r), nil
		}
		if err == nil {
			return dst, xmlCharError{r}
		}
	}
	return dst, fmt.Errorf("%w: unknown entity &%s;", errXML, e)
}

func validXMLRune(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= utf8.MaxRune
}

// readText reads the character data up to the next element tag (which it
// leaves unread, for nextTag), appending it to dst until dst holds max
// bytes; past that it reads on without keeping, and over is true. Line
// ends are normalised to "\n" as XML requires. Comments are skipped and
// CDATA sections kept.
func (s *xmlScanner) readText(dst []byte, max int) (out []byte, over bool, err error) {
	for {
		if s.pos >= s.n {
			ok, err := s.fill()
			if err != nil {
				return dst, over, err
			}
			if !ok {
				return dst, over, io.ErrUnexpectedEOF
			}
		}
		// Fast path: plain ASCII text.
		i := s.pos
		for i < s.n {
			c := s.buf[i]
			if c >= 0x20 && c < utf8.RuneSelf && c != '<' && c != '&' || c == '\t' || c == '\n' {
				i++
				continue
			}
			break
		}
		if i > s.pos {
			dst, over = keep(dst, s.buf[s.pos:i], max, over)
			s.pos = i
			continue
		}
		c := s.buf[s.pos]
		if c == '<' {
			// Look past the '<' without consuming it: a tag is nextTag's.
			next, ok, err := s.peekAt(1)
			if err != nil {
				return dst, over, err
			}
			if !ok || next != '!' {
				return dst, over, nil
			}
			s.pos += 2
			if dst, over, err = s.textMarkup(dst, max, over); err != nil {
				return dst, over, err
			}
			continue
		}
		s.pos++
		switch {
		case c == '&':
			var tmp [utf8.UTFMax]byte
			e, err := s.entity(tmp[:0])
			if err != nil {
				return dst, over, err
			}
			dst, over = keep(dst, e, max, over)
		case c == '\r':
			// "\r\n" and a lone "\r" both become "\n".
			if next, ok, err := s.peek(); err != nil {
				return dst, over, err
			} else if ok && next == '\n' {
				s.pos++
			}
			dst, over = keep(dst, []byte{'\n'}, max, over)
		default:
			r, err := s.rune(c)
			if err != nil {
				return dst, over, err
			}
			var tmp [utf8.UTFMax]byte
			dst, over = keep(dst, utf8.AppendRune(tmp[:0], r), max, over)
		}
	}
}

// textMarkup handles "<!" inside character data: a comment is skipped, a
// CDATA section is text.
func (s *xmlScanner) textMarkup(dst []byte, max int, over bool) ([]byte, bool, error) {
	c, err := s.byte()
	if err != nil {
		return dst, over, err
	}
	if c == '-' {
		if err := s.expect("-"); err != nil {
			return dst, over, err
		}
		return dst, over, s.skipUntil("-->")
	}
	if c != '[' {
		return dst, over, fmt.Errorf("%w: unknown declaration in text", errXML)
	}
	if err := s.expect("CDATA["); err != nil {
		return dst, over, err
	}
	// Keep bytes up to "]]>", checking each character.
	matched := 0
	for {
		c, err := s.byte()
		if err != nil {
			return dst, over, err
		}
		r, err := s.rune(c)
		if err != nil {
			return dst, over, err
		}
		if c == "]]>"[matched] {
			matched++
			if matched == 3 {
				return dst, over, nil
			}
			continue
		}
		if matched > 0 {
			// The held-back "]" or "]]" was text after all.
			dst, over = keep(dst, []byte("]]")[:matched], max, over)
			matched = 0
			if c == ']' {
				matched = 1
				continue
			}
		}
		var tmp [utf8.UTFMax]byte
		dst, over = keep(dst, utf8.AppendRune(tmp[:0], r), max, over)
	}
}

// keep appends b to dst while dst stays within max bytes.
func keep(dst, b []byte, max int, over bool) ([]byte, bool) {
	if over || len(dst)+len(b) > max {
		return dst, true
	}
	return append(dst, b...), false
}

// skipElement skips the content of the element whose start tag was just
// read, through its closing tag.
func (s *xmlScanner) skipElement() error {
	if s.empty {
		return nil
	}
	depth := 1
	for {
		if err := s.nextTag(); err != nil {
			if errors.Is(err, io.EOF) {
				return io.ErrUnexpectedEOF
			}
			return err
		}
		switch {
		case s.end:
			depth--
			if depth == 0 {
				return nil
			}
		case !s.empty:
			depth++
		}
	}
}
