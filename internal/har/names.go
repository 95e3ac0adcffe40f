package har

import (
	"bytes"
	"io"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"github.com/go-json-experiment/json/jsontext"
	xhtml "golang.org/x/net/html"
)

// nameRE is what a person's name looks like on a page: one to four
// capitalised words.
var nameRE = regexp.MustCompile(`^\p{Lu}[\p{L}'’.-]*(?: \p{Lu}[\p{L}'’.-]*){0,3}$`)

// pageNames learns the names of people the pages of a HAR show: the text
// beside an address in a small element (Entra's account tiles: a name and
// a UPN), the value of a profile field whose label says "name", and JSON
// members that hold a name. known are names already learned; the result
// is sorted longest first.
func pageNames(h *HAR, known []string) []string {
	seen := map[string]bool{}
	for _, k := range known {
		seen[k] = true
	}
	var out []string
	add := func(v string, single bool) {
		v = strings.Join(strings.Fields(v), " ")
		if len(v) < 3 || len(v) > 64 || seen[v] || v == Masked || !nameRE.MatchString(v) {
			return
		}
		// A single word is a name only where the page says so (a "Last
		// name" field); beside an address it may be a label.
		if !single && !strings.Contains(v, " ") {
			return
		}
		seen[v] = true
		out = append(out, v)
	}
	for _, e := range h.Log.Entries {
		c := &e.Response.Content
		if c.Text == "" {
			continue
		}
		mt := strings.ToLower(c.MimeType)
		isHTML, isJSON := strings.Contains(mt, "html"), strings.Contains(mt, "json")
		if !isHTML && !isJSON {
			continue
		}
		body, _ := c.Body()
		if isHTML && (bytes.Contains(body, []byte("@")) || bytes.Contains(body, []byte("<dt"))) {
			htmlNames(body, add)
		}
		if isJSON {
			jsonNames(body, add)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i]) != len(out[j]) {
			return len(out[i]) > len(out[j])
		}
		return out[i] < out[j]
	})
	return out
}

// htmlNames finds names in a page: the rest of the text of a small
// element that holds one address, and the value after a label with
// "name" in it (a <dt>, or a <th>).
func htmlNames(body []byte, add func(string, bool)) {
	doc, err := xhtml.Parse(bytes.NewReader(body))
	if err != nil {
		return
	}
	var walk func(n *xhtml.Node)
	walk = func(n *xhtml.Node) {
		if n.Type == xhtml.ElementNode {
			switch n.Data {
			case "script", "style", "head":
				return
			case "dt", "th":
				label := strings.ToLower(nodeText(n))
				if strings.Contains(label, "name") && !strings.Contains(label, "user") {
					for v := n.NextSibling; v != nil; v = v.NextSibling {
						if v.Type == xhtml.ElementNode {
							add(nodeText(v), true)
							break
						}
					}
				}
			}
			text := nodeText(n)
			if len(text) <= 160 {
				if addrs := addressRE.FindAllString(text, -1); len(addrs) == 1 {
					rest := strings.TrimSpace(strings.Replace(text, addrs[0], " ", 1))
					rest = strings.TrimFunc(rest, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) })
					add(rest, false)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
}

// nodeText is an element's text, with the text of its child elements
// separated by spaces.
func nodeText(n *xhtml.Node) string {
	var b strings.Builder
	var walk func(*xhtml.Node)
	walk = func(n *xhtml.Node) {
		switch {
		case n.Type == xhtml.TextNode:
			b.WriteString(n.Data)
		case n.Type == xhtml.ElementNode && (n.Data == "script" || n.Data == "style"):
			return
		case n.Type == xhtml.ElementNode:
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == xhtml.ElementNode {
			b.WriteByte(' ')
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// jsonNames learns the values of JSON members that hold a name.
func jsonNames(body []byte, add func(string, bool)) {
	dec := jsontext.NewDecoder(bytes.NewReader(body))
	member := ""
	for {
		kind, n := dec.StackIndex(dec.StackDepth())
		isName := kind == '{' && n%2 == 0
		tok, err := dec.ReadToken()
		if err == io.EOF || err != nil {
			return
		}
		if tok.Kind() != '"' {
			member = ""
			continue
		}
		if isName {
			member = strings.ToLower(tok.String())
			continue
		}
		if nameMembers[member] {
			add(tok.String(), true)
		}
		member = ""
	}
}
