package browser

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/html/atom"
)

// Form is an HTML form on a page, with its action already resolved.
type Form struct {
	// ID and Name are the form's id and name attributes.
	ID, Name string
	// Method is "GET" or "POST" (HTML's default is GET).
	Method string
	// Action is where the form submits, resolved against the page; the
	// page's own URL when the form has no action.
	Action *url.URL
	// Enctype is the form's encoding for POST, lower case; empty means
	// application/x-www-form-urlencoded.
	Enctype string
	// Fields are the form's controls in document order, buttons included.
	Fields []Field

	page *url.URL // the page the form is on, for Referer and Origin
}

// Field is one form control.
type Field struct {
	// Name is the control's name; controls without one are never sent.
	Name string
	// ID is the control's id attribute.
	ID string
	// Type is the input type in lower case ("text", "hidden", "password",
	// "checkbox", "submit", …), or "select" or "textarea"; a <button> has
	// its type ("submit" unless it says "button" or "reset").
	Type string
	// Value is what the control sends by default: the value attribute, the
	// textarea's text, or the selected option.
	Value string
	// Options are a select's option values.
	Options []string
	// Checked is a checkbox or radio button's initial state.
	Checked bool
	// Disabled controls are never sent.
	Disabled bool
}

// IsButton reports whether the field is a button, sent only when it is
// the one that submits the form.
func (f Field) IsButton() bool {
	switch f.Type {
	case "submit", "image", "reset", "button":
		return true
	}
	return false
}

// isSubmitter reports whether the field can submit the form.
func (f Field) isSubmitter() bool { return f.Type == "submit" || f.Type == "image" }

// successful reports whether the field is sent by default, without a
// button of its own being pressed.
func (f Field) successful() bool {
	if f.Name == "" || f.Disabled || f.IsButton() || f.Type == "file" {
		return false
	}
	if f.Type == "checkbox" || f.Type == "radio" {
		return f.Checked
	}
	return true
}

// attrFunc returns a tag's attribute by name, and whether it has it.
type attrFunc func(key string) (string, bool)

// newForm makes the form a <form> tag with these attributes starts.
func (p *Page) newForm(attr attrFunc) *Form {
	f := &Form{Method: "GET", Action: p.URL, page: p.URL}
	f.ID, _ = attr("id")
	f.Name, _ = attr("name")
	if m, _ := attr("method"); strings.EqualFold(strings.TrimSpace(m), "post") {
		f.Method = "POST"
	}
	if action, _ := attr("action"); strings.TrimSpace(action) != "" {
		if u, err := p.base.Parse(strings.TrimSpace(action)); err == nil {
			f.Action = u
		}
	}
	if enc, ok := attr("enctype"); ok {
		f.Enctype = strings.ToLower(strings.TrimSpace(enc))
	}
	return f
}

// fieldOf makes the field of an input, button, select or textarea tag
// with these attributes. A select's value and options and a textarea's
// text come from its content, which the scan adds.
func fieldOf(tag atom.Atom, attr attrFunc) Field {
	f := Field{}
	f.Name, _ = attr("name")
	f.ID, _ = attr("id")
	_, f.Disabled = attr("disabled")
	switch tag {
	case atom.Input:
		t, _ := attr("type")
		f.Type = strings.ToLower(strings.TrimSpace(t))
		if f.Type == "" {
			f.Type = "text"
		}
		f.Value, _ = attr("value")
		_, f.Checked = attr("checked")
		if (f.Type == "checkbox" || f.Type == "radio") && f.Value == "" {
			f.Value = "on"
		}
	case atom.Textarea:
		f.Type = "textarea"
	case atom.Select:
		f.Type = "select"
	case atom.Button:
		t, _ := attr("type")
		switch t = strings.ToLower(strings.TrimSpace(t)); t {
		case "button", "reset":
			f.Type = t
		default:
			f.Type = "submit"
		}
		f.Value, _ = attr("value")
	}
	return f
}

// Field returns the first field named name.
func (f *Form) Field(name string) (Field, bool) {
	for _, fl := range f.Fields {
		if fl.Name == name {
			return fl, true
		}
	}
	return Field{}, false
}

// Value returns the default value of the first field named name; empty
// when there is none.
func (f *Form) Value(name string) string {
	fl, _ := f.Field(name)
	return fl.Value
}

// Values returns what submitting the form unchanged would send, buttons
// excepted.
func (f *Form) Values() url.Values {
	v := url.Values{}
	for _, fl := range f.Fields {
		if fl.successful() {
			v.Add(fl.Name, fl.Value)
		}
	}
	return v
}

// pair is one name=value of a form submission, kept in document order as
// browsers send them.
type pair struct{ name, value string }

// dataSet builds what a submission sends: the successful fields in
// document order, with values replaced by the caller's for the names it
// gives, and the submitting button. The submitter is the first submit
// button, or the button the caller named in values.
func (f *Form) dataSet(values url.Values) ([]pair, error) {
	names := make(map[string]bool)
	for _, fl := range f.Fields {
		if fl.Name != "" {
			names[fl.Name] = true
		}
	}
	for k := range values {
		if !names[k] {
			return nil, fmt.Errorf("%w: %q (the form to %s has %s)", ErrNoSuchField, k,
				redactURL(f.Action.String()), strings.Join(f.fieldNames(), ", "))
		}
	}
	submitter := -1
	for i, fl := range f.Fields {
		if fl.isSubmitter() && !fl.Disabled {
			if _, named := values[fl.Name]; named && fl.Name != "" {
				submitter = i
				break
			}
			if submitter < 0 {
				submitter = i
			}
		}
	}
	var out []pair
	done := make(map[string]bool)
	for i, fl := range f.Fields {
		if vs, override := values[fl.Name]; override {
			// A button's override counts only when it is the submitter.
			if fl.IsButton() && i != submitter {
				continue
			}
			if !done[fl.Name] {
				for _, v := range vs {
					out = append(out, pair{fl.Name, v})
				}
				done[fl.Name] = true
			}
			continue
		}
		if fl.successful() || (i == submitter && fl.Name != "") {
			out = append(out, pair{fl.Name, fl.Value})
		}
	}
	return out, nil
}

func (f *Form) fieldNames() []string {
	var names []string
	for _, fl := range f.Fields {
		if fl.Name != "" && !slices.Contains(names, fl.Name) {
			names = append(names, fl.Name)
		}
	}
	if len(names) == 0 {
		return []string{"no named fields"}
	}
	return names
}

// encodeURLForm encodes pairs as application/x-www-form-urlencoded, in
// order.
func encodeURLForm(pairs []pair) string {
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(p.name))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(p.value))
	}
	return b.String()
}

// encodeMultipart encodes pairs as multipart/form-data and returns the body
// and its content type.
func encodeMultipart(pairs []pair) ([]byte, string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range pairs {
		if err := w.WriteField(p.name, p.value); err != nil {
			return nil, "", err
		}
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}

func valuesOf(pairs []pair) url.Values {
	v := make(url.Values, len(pairs))
	for _, p := range pairs {
		v.Add(p.name, p.value)
	}
	return v
}
