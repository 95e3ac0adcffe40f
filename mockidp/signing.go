package mockidp

import (
	"fmt"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// signAfter signs el with an enveloped XML signature in Entra's shape
// (unprefixed Signature, exclusive c14n, RSA-SHA256 or RSA-SHA1 with the
// matching digest, the certificate in KeyInfo) and inserts the Signature
// as el's child at index at: right after Issuer in responses and
// assertions, first in metadata. It returns the Signature element.
func signAfter(el *etree.Element, at int, key directory.SigningKey, alg directory.SigningAlgorithm) (*etree.Element, error) {
	ctx, err := dsig.NewSigningContext(key.Key, [][]byte{key.DER})
	if err != nil {
		return nil, fmt.Errorf("make a signing context: %w", err)
	}
	ctx.Prefix = ""
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	method := dsig.RSASHA256SignatureMethod
	if alg == directory.SHA1 {
		method = dsig.RSASHA1SignatureMethod
	}
	if err := ctx.SetSignatureMethod(method); err != nil {
		return nil, fmt.Errorf("set the signature method: %w", err)
	}
	// Canonicalization rewrites the element it is given (attribute order,
	// namespace declarations), so digest a copy and keep el as written.
	sig, err := ctx.ConstructSignature(el.Copy(), true)
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", el.Tag, err)
	}
	el.InsertChildAt(at, sig)
	return sig, nil
}

// serialize writes root on one line without an XML declaration,
// escaping only what XML requires, as Entra's .NET writer does.
func serialize(root *etree.Element) ([]byte, error) {
	doc := etree.NewDocument()
	doc.WriteSettings = etree.WriteSettings{CanonicalText: true, CanonicalAttrVal: true}
	doc.SetRoot(root)
	return doc.WriteToBytes()
}
