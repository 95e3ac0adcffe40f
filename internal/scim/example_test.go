package scim_test

import (
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/ssowiz/ssowiz/internal/scim"
	"github.com/ssowiz/ssowiz/internal/scim/filter"
	"github.com/ssowiz/ssowiz/internal/scim/patch"
)

// A server answering Entra's Test Connection probe: decode the query,
// parse the filter, use its userName term for an index lookup, and answer
// with an empty ListResponse.
func Example_testConnection() {
	q, _ := url.ParseQuery("filter=userName+eq+%227d420df3-9995-4831-a406-ecf8166f5f6a%22")
	f, err := filter.New(q.Get("filter"), scim.UserType())
	if err != nil {
		fmt.Println(scim.ErrorFrom(err).Status)
		return
	}
	userName, _ := f.Equal("userName")
	fmt.Println("look up", scim.FoldKey(userName))

	page, _ := scim.ParsePage(q, 20, 100)
	body, _ := json.Marshal(scim.NewListResponse(0, page, nil))
	fmt.Println(string(body))
	// Output:
	// look up 7d420df3-9995-4831-a406-ecf8166f5f6a
	// {"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}
}

// A server applying Entra's default-dialect disable, then a PATCH that
// fails and becomes a SCIM Error body.
func Example_patch() {
	stored, _ := scim.DecodeResource([]byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u-1","userName":"jane@contoso.com","active":true}`))
	rt := scim.UserType()

	disabled, changed, err := patch.ApplyJSON(rt, stored, []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`))
	active, _ := disabled.Active()
	fmt.Println(active, changed, err)

	_, _, err = patch.ApplyJSON(rt, stored, []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"id","value":"other"}]}`))
	body, _ := json.Marshal(scim.ErrorFrom(err))
	fmt.Println(string(body))
	// Output:
	// false true <nil>
	// {"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"mutability","detail":"Operations[0] (replace \"id\"): attribute cannot be modified: id is assigned by the service provider and cannot be changed or removed"}
}
