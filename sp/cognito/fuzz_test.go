package cognito

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"maps"
	"testing"

	"github.com/beevik/etree"

	"github.com/ssowiz/ssowiz/sp/internal/samltest"
)

// fuzzRequestID is the AuthnRequest the fuzzed responses answer.
const fuzzRequestID = "_fuzz-request"

// fuzzIdentity is who the IdP signed for in every seed.
var fuzzIdentity = samltest.User{NameID: "alice@contoso.com", Attrs: []samltest.Attr{
	{Name: "Email", Values: []string{"alice@contoso.com"}},
	{Name: "LastName", Values: []string{"Example"}},
}}

// acsSeeds are responses the ACS must take apart: a good one, and the
// classic signature-wrapping shapes built from it.
func acsSeeds(f *testing.F, fx *fixture) [][]byte {
	good, err := fx.idp.Build(samltest.Response{InResponseTo: fuzzRequestID, ACS: fx.pool.ACSURL(), Audience: fx.pool.EntityID(),
		NameID: fuzzIdentity.NameID, Attrs: fuzzIdentity.Attrs, SignAssertion: true})
	if err != nil {
		f.Fatal(err)
	}
	signedResponse, err := fx.idp.Build(samltest.Response{InResponseTo: fuzzRequestID, ACS: fx.pool.ACSURL(), Audience: fx.pool.EntityID(),
		NameID: fuzzIdentity.NameID, Attrs: fuzzIdentity.Attrs, SignAssertion: true, SignResponse: true})
	if err != nil {
		f.Fatal(err)
	}
	wrap := func(edit func(root, orig, evil *etree.Element)) []byte {
		doc := etree.NewDocument()
		if err := doc.ReadFromBytes(good); err != nil {
			f.Fatal(err)
		}
		root := doc.Root()
		orig := root.SelectElement("Assertion")
		evil := orig.Copy()
		evil.CreateAttr("ID", "_evil")
		evil.FindElement("./Subject/NameID").SetText("mallory@contoso.com")
		edit(root, orig, evil)
		out, err := doc.WriteToBytes()
		if err != nil {
			f.Fatal(err)
		}
		return out
	}
	return [][]byte{
		good,
		signedResponse,
		// An unsigned assertion before the signed one.
		wrap(func(root, orig, evil *etree.Element) {
			evil.RemoveChild(evil.SelectElement("Signature"))
			root.InsertChildAt(orig.Index(), evil)
		}),
		// The signed assertion hidden in the signature of an evil one.
		wrap(func(root, orig, evil *etree.Element) {
			evil.SelectElement("Signature").CreateElement("Object").AddChild(orig.Copy())
			root.RemoveChild(orig)
			root.AddChild(evil)
		}),
		// The signed assertion moved into an Extensions element.
		wrap(func(root, orig, evil *etree.Element) {
			evil.RemoveChild(evil.SelectElement("Signature"))
			root.RemoveChild(orig)
			root.CreateElement("samlp:Extensions").AddChild(orig)
			root.AddChild(evil)
		}),
		// A comment splitting the NameID (the 2018 comment truncation).
		bytes.Replace(good, []byte(">alice@contoso.com<"), []byte(">alice@contoso.com<!---->.evil<"), 1),
	}
}

// FuzzACSResponse feeds the ACS's decoding and validation (base64, the
// one-assertion rule, crewjam's XML and signature checks, attribute
// mapping) with mutated responses. It must never panic, and a response it
// accepts must carry exactly the identity the IdP signed: any other
// acceptance is a forgery getting through. With raw true the input is the
// form value itself, so the base64 layer is fuzzed too.
func FuzzACSResponse(f *testing.F) {
	fx := newFixture(f, nil)
	ctx := context.Background()
	seeds := acsSeeds(f, fx)
	for i, seed := range seeds {
		// The seeds are what they claim: the two good ones pass, every
		// wrapped one is refused.
		_, rej := fx.pool.validate(ctx, fx.org, base64.StdEncoding.EncodeToString(seed), []string{fuzzRequestID}, false)
		if (rej == nil) != (i < 2) {
			f.Fatalf("seed %d: rejection %+v", i, rej)
		}
		f.Add(seed, false)
	}
	f.Add([]byte("PHNhbWxwOlJlc3BvbnNlLz4="), true)
	f.Add([]byte("not base64!"), true)
	f.Fuzz(func(t *testing.T, doc []byte, raw bool) {
		// Each input starts with an empty replay cache, so a mutation of
		// an accepted response is judged on its own, not refused as a
		// replay of the seed.
		if _, err := fx.pool.db.ExecContext(ctx, `DELETE FROM seen_assertions`); err != nil {
			t.Fatal(err)
		}
		form := base64.StdEncoding.EncodeToString(doc)
		if raw {
			form = string(doc)
		}
		id, rej := fx.pool.validate(ctx, fx.org, form, []string{fuzzRequestID}, false)
		if rej != nil {
			if rej.message == "" {
				t.Fatalf("a rejection without a message (reason %q)", rej.reason)
			}
			return
		}
		want := map[string]string{"email": "alice@contoso.com", "family_name": "Example"}
		if id.NameID != fuzzIdentity.NameID || !maps.Equal(id.Attributes, want) {
			t.Fatalf("accepted a response for someone the IdP did not sign for: NameID %q, attributes %v", id.NameID, id.Attributes)
		}
	})
}

// FuzzCountElements checks the one-assertion scanner against a real XML
// tokenizer: on any document encoding/xml reads whole, the scanner never
// counts fewer elements than there are (it may count more, which only
// refuses a response), and it never panics on anything.
func FuzzCountElements(f *testing.F) {
	fx := newFixture(f, nil)
	for _, seed := range acsSeeds(f, fx) {
		f.Add(seed)
	}
	for _, s := range []string{
		`<a><!-- <Assertion> --><![CDATA[<Assertion>]]><?pi <Assertion?><x:Assertion/><Assertion	a="1"/></a>`,
		`<Assertion`, `<`, `<!--`, `<![CDATA[`, `<a b=">"><Assertion/></a>`,
		`<!DOCTYPE a [<!ELEMENT Assertion ANY>]><a><Assertion></Assertion></a>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		got := countElements(doc, "Assertion")
		want, ok := xmlCount(doc, "Assertion")
		if ok && got < want {
			t.Fatalf("countElements found %d Assertion elements, encoding/xml %d", got, want)
		}
	})
}

// xmlCount counts start elements named local with encoding/xml; ok is
// false when it cannot read the whole document.
func xmlCount(doc []byte, local string) (int, bool) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	n := 0
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return n, true
		}
		if err != nil {
			return 0, false
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == local {
			n++
		}
	}
}
