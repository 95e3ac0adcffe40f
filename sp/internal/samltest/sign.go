package samltest

import (
	"fmt"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// Sign signs el (which must have an ID attribute) with an enveloped
// RSA-SHA256 signature over exclusive c14n, unprefixed, and places the
// Signature right after el's Issuer as Entra does (first child if there is
// no Issuer). It returns the signed copy.
func Sign(key *Key, el *etree.Element) (*etree.Element, error) {
	ctx := dsig.NewDefaultSigningContext(dsig.TLSCertKeyStore(key.tlsCert()))
	ctx.Prefix = ""
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	if err := ctx.SetSignatureMethod(dsig.RSASHA256SignatureMethod); err != nil {
		return nil, err
	}
	signed, err := ctx.SignEnveloped(el)
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", el.Tag, err)
	}
	children := signed.ChildElements()
	sig := children[len(children)-1]
	out := signed.Copy()
	out.Child = nil
	placed := false
	for _, c := range children[:len(children)-1] {
		out.AddChild(c.Copy())
		if c.Tag == "Issuer" && !placed {
			out.AddChild(sig.Copy())
			placed = true
		}
	}
	if !placed {
		out.InsertChildAt(0, sig.Copy())
	}
	return out, nil
}
