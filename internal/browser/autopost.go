package browser

import (
	"regexp"
	"strconv"
	"strings"
)

// submitCall finds a script submitting a form: form.submit(),
// forms[0].submit(), requestSubmit() and the like.
var submitCall = regexp.MustCompile(`\.(?:request)?[sS]ubmit\s*\(\s*\)`)

// detectAutoPost returns the form that a page submits by itself, or nil.
//
// This browser runs no JavaScript, so it recognises the pattern instead:
// an inline script or on… handler that calls submit(), and a form whose
// every field is hidden (buttons aside), as SAML HTTP-POST binding pages
// are (Entra's `<body onload="document.forms[0].submit()">`, crewjam/saml's
// `document.getElementById('SAMLResponseForm').submit()`). A form with
// fields a user fills in is never submitted automatically. When the page has
// several candidates, the one the script names (by id, name or
// forms[index]) wins.
func detectAutoPost(forms []*Form, scripts []string) *Form {
	var calls []string
	for _, s := range scripts {
		if submitCall.MatchString(s) {
			calls = append(calls, s)
		}
	}
	if len(calls) == 0 {
		return nil
	}
	var candidates []*Form
	for _, f := range forms {
		if onlyHidden(f) {
			candidates = append(candidates, f)
		}
	}
	if len(candidates) == 0 {
		return nil
	}
	all := strings.Join(calls, "\n")
	for i, f := range forms {
		if !onlyHidden(f) {
			continue
		}
		if named(all, f, i) {
			return f
		}
	}
	if len(candidates) == 1 && (len(forms) == 1 || strings.Contains(all, "querySelector('form')") ||
		strings.Contains(all, `querySelector("form")`)) {
		return candidates[0]
	}
	return nil
}

// onlyHidden reports a form with at least one hidden field to send and no
// field a user would fill in.
func onlyHidden(f *Form) bool {
	hidden := 0
	for _, fl := range f.Fields {
		switch {
		case fl.IsButton() || fl.Disabled:
		case fl.Type == "hidden":
			if fl.Name != "" {
				hidden++
			}
		default:
			return false
		}
	}
	return hidden > 0
}

// named reports whether the script text refers to form f, the index-th form
// of the page.
func named(script string, f *Form, index int) bool {
	idx := strconv.Itoa(index)
	if strings.Contains(script, "forms["+idx+"]") || strings.Contains(script, "forms.item("+idx+")") {
		return true
	}
	for _, name := range []string{f.ID, f.Name} {
		if name == "" {
			continue
		}
		for _, ref := range []string{"'" + name + "'", `"` + name + `"`, "#" + name, "document." + name + ".", "forms." + name + "."} {
			if strings.Contains(script, ref) {
				return true
			}
		}
	}
	return false
}
