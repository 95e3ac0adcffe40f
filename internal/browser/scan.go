package browser

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// scan reads the page's tokens once and collects what every page needs:
// the title, the base URL, the forms and their fields, the scripts and any
// meta refresh. It builds no tree: a sign-in reads several pages, one of
// them carrying a SAMLResponse of several kilobytes, and the tree is only
// needed for the rarer questions (Text, ElementByID, Links, Document),
// which parse it on demand.
//
// Where the HTML parser's rules decide what a browser would submit, the
// scan follows them: a control belongs to the form of the parser's form
// element pointer (so a nested <form> is ignored, and a control after a
// form closed only implicitly still belongs to it, as in browsers), a
// control's form="id" attribute overrides that, <noscript> is markup
// because scripting is off, a <textarea> drops one leading newline, and
// title, script and textarea content is text. Inside <svg> and <math> only
// event handlers and scripts are read: forms and titles there are not
// HTML's.
func (p *Page) scan() {
	s := scanner{p: p, z: html.NewTokenizer(bytes.NewReader(p.Body)), sel: -1}
	s.run()
	// A control's form="id" attribute overrides the form pointer; resolve
	// it after the scan, since the form may come later in the document.
	byID := make(map[string]*Form, len(p.forms))
	for _, f := range p.forms {
		if f.ID != "" {
			if _, dup := byID[f.ID]; !dup {
				byID[f.ID] = f
			}
		}
	}
	for _, c := range s.controls {
		owner := c.form
		if c.hasFormID {
			owner = byID[c.formID]
		}
		if owner != nil {
			owner.Fields = append(owner.Fields, c.field)
		}
	}
}

// scanner is the state of one scan.
type scanner struct {
	p     *Page
	z     *html.Tokenizer
	attrs []tagAttr // the current tag's attributes, reused from tag to tag

	// form is the HTML parser's form element pointer: the form a control
	// met now belongs to.
	form     *Form
	controls []control
	// foreign is the depth of open <svg> and <math> elements.
	foreign int

	// textFor is the element whose text is being collected until its end
	// tag (title, script or textarea), 0 when none; text is what came so
	// far, and textAt the index of its script or control.
	textFor atom.Atom
	text    []byte
	textAt  int

	// sel is the control index of the open <select>, -1 when none; opt is
	// its open <option>, if any; first and selected are the values of its
	// first option and of its first selected one with a value.
	sel             int
	opt             *option
	first, selected string
}

// tagAttr is one attribute of the current tag, as the tokenizer returns it
// (key lower case, value unescaped).
type tagAttr struct{ key, val []byte }

// control is a form control met during the scan.
type control struct {
	field Field
	// form is the form pointer when the control was met.
	form *Form
	// formID is the control's form attribute, when hasFormID.
	formID    string
	hasFormID bool
}

// option is an <option> being read.
type option struct {
	value    string
	hasValue bool
	selected bool
	text     []byte
}

// breakout are the start tags that end foreign content (SVG, MathML) in
// the HTML parser, as in the HTML standard's "any other start tag" rule.
var breakout = map[atom.Atom]bool{
	atom.B: true, atom.Big: true, atom.Blockquote: true, atom.Body: true, atom.Br: true,
	atom.Center: true, atom.Code: true, atom.Dd: true, atom.Div: true, atom.Dl: true, atom.Dt: true,
	atom.Em: true, atom.Embed: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true,
	atom.H5: true, atom.H6: true, atom.Head: true, atom.Hr: true, atom.I: true, atom.Img: true,
	atom.Li: true, atom.Listing: true, atom.Menu: true, atom.Meta: true, atom.Nobr: true, atom.Ol: true,
	atom.P: true, atom.Pre: true, atom.Ruby: true, atom.S: true, atom.Small: true, atom.Span: true,
	atom.Strong: true, atom.Strike: true, atom.Sub: true, atom.Sup: true, atom.Table: true,
	atom.Tt: true, atom.U: true, atom.Ul: true, atom.Var: true,
}

func (s *scanner) run() {
	for {
		switch s.z.Next() {
		case html.ErrorToken:
			// The end of the document closes whatever is open.
			s.endText()
			s.endSelect()
			return
		case html.TextToken:
			if s.textFor != 0 {
				s.text = append(s.text, s.z.Text()...)
			} else if s.opt != nil {
				s.opt.text = append(s.opt.text, s.z.Text()...)
			}
		case html.StartTagToken:
			s.startTag(false)
		case html.SelfClosingTagToken:
			// The flag matters only in foreign content: on an HTML element
			// that is not void, the parser ignores it.
			s.startTag(true)
		case html.EndTagToken:
			s.endTag()
		}
	}
}

// attrsNeeded are the elements whose attributes the scan reads.
var attrsNeeded = map[atom.Atom]bool{
	atom.Base: true, atom.Meta: true, atom.Script: true, atom.Form: true, atom.Input: true,
	atom.Button: true, atom.Textarea: true, atom.Select: true, atom.Option: true, atom.Font: true,
}

// hasOn reports whether b holds "on" in any case.
func hasOn(b []byte) bool {
	for i := 0; i+1 < len(b); i++ {
		if b[i]|0x20 == 'o' && b[i+1]|0x20 == 'n' {
			return true
		}
	}
	return false
}

func (s *scanner) readAttrs() {
	s.attrs = s.attrs[:0]
	for more := true; more; {
		var k, v []byte
		k, v, more = s.z.TagAttr()
		if k == nil {
			break
		}
		s.attrs = append(s.attrs, tagAttr{k, v})
	}
}

// attr returns the first attribute named key, as the parser keeps the
// first of duplicates.
func (s *scanner) attr(key string) (string, bool) {
	for _, a := range s.attrs {
		if string(a.key) == key {
			return string(a.val), true
		}
	}
	return "", false
}

func (s *scanner) startTag(selfClosing bool) {
	raw := s.z.Raw()
	name, hasAttr := s.z.TagName()
	tag := atom.Lookup(name)
	s.attrs = s.attrs[:0]
	// Attributes are read only where they matter: on the elements the
	// scan looks into, and on any other tag only for an event handler,
	// whose name needs the letters "on" in the tag as written (attribute
	// names hold no character references).
	if hasAttr && (attrsNeeded[tag] || hasOn(raw)) {
		s.readAttrs()
	}
	for _, a := range s.attrs {
		if bytes.HasPrefix(a.key, []byte("on")) && len(a.val) > 0 {
			s.p.scripts = append(s.p.scripts, string(a.val))
		}
	}
	if s.foreign > 0 {
		if !breakout[tag] && !(tag == atom.Font && s.hasAny("color", "face", "size")) {
			s.foreignTag(tag, selfClosing)
			return
		}
		s.foreign = 0
	}
	if s.textFor != 0 {
		// Only foreign content has tags inside text elements; it ended.
		s.endText()
	}
	p := s.p
	switch tag {
	case atom.Svg, atom.Math:
		if !selfClosing {
			s.foreign++
		}
	case atom.Noscript:
		// Scripting is off: <noscript> content is markup.
		s.z.NextIsNotRawText()
	case atom.Title:
		s.startText(tag, 0)
	case atom.Script:
		if _, external := s.attr("src"); !external {
			p.scripts = append(p.scripts, "")
			s.startText(tag, len(p.scripts)-1)
		}
	case atom.Base:
		if href, ok := s.attr("href"); ok && p.base == p.URL {
			if b, err := p.URL.Parse(strings.TrimSpace(href)); err == nil {
				p.base = b
			}
		}
	case atom.Meta:
		if v, _ := s.attr("http-equiv"); strings.EqualFold(v, "refresh") && p.refresh == nil {
			content, _ := s.attr("content")
			p.refresh = parseRefresh(p.URL, content)
		}
	case atom.Form:
		// The parser ignores a <form> while its form pointer is set.
		if s.form == nil {
			s.form = p.newForm(s.attr)
			p.forms = append(p.forms, s.form)
		}
	case atom.Input:
		// An input ends an open select, as the parser pops it.
		s.endSelect()
		s.addControl(fieldOf(tag, s.attr))
	case atom.Button:
		s.addControl(fieldOf(tag, s.attr))
	case atom.Textarea:
		s.addControl(fieldOf(tag, s.attr))
		s.startText(tag, len(s.controls)-1)
	case atom.Select:
		// A <select> inside a select only closes it.
		if s.sel >= 0 {
			s.endSelect()
			return
		}
		s.addControl(fieldOf(tag, s.attr))
		s.sel, s.first, s.selected = len(s.controls)-1, "", ""
	case atom.Option, atom.Optgroup, atom.Hr:
		s.endOption()
		if tag == atom.Option && s.sel >= 0 {
			value, hasValue := s.attr("value")
			_, selected := s.attr("selected")
			s.opt = &option{value: value, hasValue: hasValue, selected: selected}
		}
	}
}

func (s *scanner) hasAny(keys ...string) bool {
	for _, k := range keys {
		if _, ok := s.attr(k); ok {
			return true
		}
	}
	return false
}

// foreignTag handles a start tag inside SVG or MathML: the parser reads
// no raw text there (an SVG <title> may hold markup), and only scripts
// matter.
func (s *scanner) foreignTag(tag atom.Atom, selfClosing bool) {
	s.z.NextIsNotRawText()
	switch {
	case (tag == atom.Svg || tag == atom.Math) && !selfClosing:
		s.foreign++
	case tag == atom.Script && !selfClosing && s.textFor == 0:
		if _, external := s.attr("src"); !external {
			s.p.scripts = append(s.p.scripts, "")
			s.startText(tag, len(s.p.scripts)-1)
		}
	}
}

func (s *scanner) endTag() {
	name, _ := s.z.TagName()
	tag := atom.Lookup(name)
	if s.textFor != 0 {
		if tag != s.textFor {
			return
		}
		s.endText()
		return
	}
	switch tag {
	case atom.Svg, atom.Math:
		if s.foreign > 0 {
			s.foreign--
		}
	case atom.Form:
		s.form = nil
	case atom.Option, atom.Optgroup:
		s.endOption()
	case atom.Select:
		s.endSelect()
	}
}

func (s *scanner) addControl(f Field) {
	c := control{field: f, form: s.form}
	c.formID, c.hasFormID = s.attr("form")
	s.controls = append(s.controls, c)
}

func (s *scanner) startText(tag atom.Atom, at int) {
	s.textFor, s.textAt, s.text = tag, at, s.text[:0]
}

// endText stores the text of the element that just ended.
func (s *scanner) endText() {
	tag := s.textFor
	if tag == 0 {
		return
	}
	s.textFor = 0
	switch tag {
	case atom.Title:
		if s.p.title == "" {
			s.p.title = collapseSpace(string(s.text))
		}
	case atom.Script:
		s.p.scripts[s.textAt] = string(s.text)
	case atom.Textarea:
		// The parser drops one leading newline, as browsers do.
		t := s.text
		t = bytes.TrimPrefix(t, []byte("\r"))
		t = bytes.TrimPrefix(t, []byte("\n"))
		s.controls[s.textAt].field.Value = string(t)
	}
}

// endOption adds the open option, if any, to its select.
func (s *scanner) endOption() {
	o := s.opt
	if o == nil {
		return
	}
	s.opt = nil
	v := o.value
	if !o.hasValue {
		v = collapseSpace(string(o.text))
	}
	f := &s.controls[s.sel].field
	if len(f.Options) == 0 {
		s.first = v
	}
	f.Options = append(f.Options, v)
	if o.selected && s.selected == "" {
		s.selected = v
	}
}

// endSelect closes the open select, if any: its value is the selected
// option's, or the first one's.
func (s *scanner) endSelect() {
	if s.sel < 0 {
		return
	}
	s.endOption()
	f := &s.controls[s.sel].field
	f.Value = s.first
	if s.selected != "" {
		f.Value = s.selected
	}
	s.sel = -1
}
