package graph

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// NonGalleryTemplateID is the application template of "Create your own
// application" > "Integrate any other application you don't find in the
// gallery (Non-gallery)".
const NonGalleryTemplateID = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621"

// The app roles every non-gallery enterprise app has: "User" (what the
// portal assigns) and "msiam_access".
const (
	UserRoleID        = "18d14569-c3bd-439b-9a66-3a2aee01d14f"
	msiamAccessRoleID = "b9632174-c057-4f7e-951b-be3adc52bfe6"
	defaultAccessRole = "00000000-0000-0000-0000-000000000000"
)

// applicationObjectID is the app registration's object ID. The directory
// keys apps by their Application ID; the registration's own ID is derived
// from it, so it is stable across restarts.
func applicationObjectID(appID string) string {
	return uuid.NewSHA1(uuid.NameSpaceOID, []byte("ssowiz:application:"+strings.ToLower(appID))).String()
}

// appRoles are a non-gallery app's two roles, on the application and its
// service principal alike.
func appRoles() []object {
	return []object{
		{{"allowedMemberTypes", []string{"User"}}, {"description", "User"}, {"displayName", "User"}, {"id", UserRoleID}, {"isEnabled", true}, {"origin", "Application"}, {"value", nil}},
		{{"allowedMemberTypes", []string{"User"}}, {"description", "msiam_access"}, {"displayName", "msiam_access"}, {"id", msiamAccessRoleID}, {"isEnabled", true}, {"origin", "Application"}, {"value", nil}},
	}
}

// infoObject is an app's informationalUrl: none set.
func infoObject() object {
	return object{{"termsOfServiceUrl", nil}, {"supportUrl", nil}, {"privacyStatementUrl", nil}, {"marketingUrl", nil}, {"logoUrl", nil}}
}

// applicationObject is the app registration as Graph returns it; the
// properties the guide never sets have a new non-gallery app's values
// (applicationtemplate-instantiate's example lists them).
func applicationObject(a directory.App, t directory.Tenant) object {
	ids := []string{}
	for _, i := range a.SAML.Identifiers {
		ids = append(ids, i.Value)
	}
	replies := []string{}
	for _, r := range a.SAML.ReplyURLs {
		replies = append(replies, r.URL)
	}
	return object{
		{"id", applicationObjectID(a.AppID)},
		{"deletedDateTime", nil},
		{"appId", a.AppID},
		{"applicationTemplateId", NonGalleryTemplateID},
		{"createdDateTime", graphTime(a.CreatedAt)},
		{"displayName", a.Name},
		{"groupMembershipClaims", nil},
		{"identifierUris", ids},
		{"isDeviceOnlyAuthSupported", nil},
		{"isFallbackPublicClient", nil},
		{"publisherDomain", t.InitialDomain},
		{"signInAudience", "AzureADMyOrg"},
		{"tags", []string{}},
		{"tokenEncryptionKeyId", nil},
		{"addIns", []any{}},
		{"api", object{{"acceptMappedClaims", nil}, {"knownClientApplications", []any{}}, {"requestedAccessTokenVersion", nil},
			{"oauth2PermissionScopes", []any{}}, {"preAuthorizedApplications", []any{}}}},
		{"appRoles", appRoles()},
		{"info", infoObject()},
		{"keyCredentials", []any{}},
		{"optionalClaims", nil},
		{"parentalControlSettings", object{{"countriesBlockedForMinors", []string{}}, {"legalAgeGroupRule", "Allow"}}},
		{"passwordCredentials", []any{}},
		{"publicClient", object{{"redirectUris", []string{}}}},
		{"requiredResourceAccess", []any{}},
		{"web", object{
			{"homePageUrl", nil},
			{"logoutUrl", str(a.SAML.LogoutURL)},
			{"redirectUris", replies},
			{"implicitGrantSettings", object{{"enableAccessTokenIssuance", false}, {"enableIdTokenIssuance", false}}},
		}},
	}
}

func (s *Server) servicePrincipalObject(ctx context.Context, a directory.App) (object, error) {
	certs, err := s.dir.Certificates(ctx, a.AppID)
	if err != nil {
		return nil, err
	}
	keys := []object{}
	var preferred any
	for _, c := range certs {
		keys = append(keys, keyCredential(c))
		if c.Active {
			preferred = c.Thumbprint
		}
	}
	names := []string{a.AppID}
	replies := []string{}
	for _, i := range a.SAML.Identifiers {
		names = append(names, i.Value)
	}
	for _, r := range a.SAML.ReplyURLs {
		replies = append(replies, r.URL)
	}
	t, err := s.dir.Tenant(ctx)
	if err != nil {
		return nil, err
	}
	return object{
		{"id", a.ServicePrincipalID},
		{"deletedDateTime", nil},
		{"accountEnabled", true},
		{"alternativeNames", []string{}},
		{"appDisplayName", a.Name},
		{"appId", a.AppID},
		{"applicationTemplateId", NonGalleryTemplateID},
		{"appOwnerOrganizationId", t.ID},
		{"appRoleAssignmentRequired", a.AssignmentRequired},
		{"appRoles", appRoles()},
		{"createdDateTime", graphTime(a.CreatedAt)},
		{"displayName", a.Name},
		{"homepage", nil},
		{"keyCredentials", keys},
		{"loginUrl", str(a.SAML.SignOnURL)},
		{"logoutUrl", str(a.SAML.LogoutURL)},
		{"notificationEmailAddresses", []string{}},
		{"preferredSingleSignOnMode", "saml"},
		{"preferredTokenSigningKeyThumbprint", preferred},
		{"replyUrls", replies},
		{"samlSingleSignOnSettings", object{{"relayState", str(a.SAML.RelayState)}}},
		{"servicePrincipalNames", names},
		{"servicePrincipalType", "Application"},
		{"signInAudience", "AzureADMyOrg"},
		{"tags", []string{"WindowsAzureActiveDirectoryCustomSingleSignOnApplication", "WindowsAzureActiveDirectoryIntegratedApp"}},
		{"tokenEncryptionKeyId", nil},
		{"addIns", []any{}},
		{"endpoints", []any{}},
		{"info", infoObject()},
		{"oauth2PermissionScopes", []any{}},
		{"passwordCredentials", []any{}},
		{"publisherName", t.DisplayName},
	}, nil
}

// keyCredential is a SAML signing certificate as a servicePrincipal's
// keyCredentials entry (the public part only).
func keyCredential(c directory.Certificate) object {
	thumb, _ := hex.DecodeString(c.Thumbprint)
	return object{
		{"customKeyIdentifier", base64.StdEncoding.EncodeToString(thumb)},
		{"displayName", certDisplayName(c)},
		{"endDateTime", graphTime(c.NotAfter)},
		{"key", nil},
		{"keyId", uuid.NewSHA1(uuid.NameSpaceOID, []byte("ssowiz:key:"+c.Thumbprint)).String()},
		{"startDateTime", graphTime(c.NotBefore)},
		{"type", "AsymmetricX509Cert"},
		{"usage", "Verify"},
	}
}

// certDisplayName is a certificate's displayName: "CN=" and its
// subject's common name (addTokenSigningCertificate may have named it).
func certDisplayName(c directory.Certificate) string {
	if x, err := x509.ParseCertificate(c.DER); err == nil && x.Subject.CommonName != "" {
		return "CN=" + x.Subject.CommonName
	}
	return "CN=" + directory.SAMLCertCN
}

// instantiate is POST /applicationTemplates/{id}/instantiate: the
// non-gallery template makes the app registration and its enterprise app,
// as "Create your own application" does.
func (s *Server) instantiate(w http.ResponseWriter, r *http.Request) {
	if id := r.PathValue("id"); !strings.EqualFold(id, NonGalleryTemplateID) {
		s.fail(w, r, &apiError{http.StatusNotFound, codeNotFound, fmt.Sprintf(
			"Resource '%s' does not exist or one of its queried reference-property objects are not present. ssowiz's mock has only the non-gallery template, %s.", id, NonGalleryTemplateID), nil})
		return
	}
	raw, e := readObject(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	var name string
	if v, ok := raw["displayName"]; !ok || json.Unmarshal(v, &name) != nil || strings.TrimSpace(name) == "" {
		s.fail(w, r, badRequest("A value is required for property 'displayName' of resource 'ApplicationTemplate'.", errorDetail{"PropertyRequired", "displayName"}))
		return
	}
	for k := range raw {
		if k != "displayName" {
			s.fail(w, r, badRequest(fmt.Sprintf("The parameter '%s' in the request payload is not a valid parameter for the operation 'instantiate'.", k)))
			return
		}
	}
	app, err := s.dir.CreateApp(r.Context(), name)
	if err != nil {
		s.failDirectory(w, r, err, "Application")
		return
	}
	sp, err := s.servicePrincipalObject(r.Context(), app)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	t, err := s.dir.Tenant(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.log.Info("graph: application instantiated", "app", app.AppID)
	s.writeOData(w, r, http.StatusCreated, object{
		{"@odata.context", s.graph + "/$metadata#microsoft.graph.applicationServicePrincipal"},
		{"application", applicationObject(app, t)},
		{"servicePrincipal", sp},
	})
}

// findApplication resolves /applications/{id} (the registration's object
// ID) or /applications(appId='{appId}').
func (s *Server) findApplication(r *http.Request) (directory.App, *apiError) {
	key := r.PathValue("id")
	apps, err := s.dir.Apps(r.Context())
	if err != nil {
		return directory.App{}, &apiError{http.StatusInternalServerError, codeInternal, err.Error(), nil}
	}
	for _, a := range apps {
		if strings.EqualFold(applicationObjectID(a.AppID), key) || strings.EqualFold("appId='"+a.AppID+"'", key) {
			return a, nil
		}
	}
	return directory.App{}, notFound(key)
}

// findServicePrincipal resolves /servicePrincipals/{id} (object ID) or
// /servicePrincipals(appId='{appId}').
func (s *Server) findServicePrincipal(r *http.Request) (directory.App, *apiError) {
	key := r.PathValue("id")
	apps, err := s.dir.Apps(r.Context())
	if err != nil {
		return directory.App{}, &apiError{http.StatusInternalServerError, codeInternal, err.Error(), nil}
	}
	for _, a := range apps {
		if strings.EqualFold(a.ServicePrincipalID, key) || strings.EqualFold("appId='"+a.AppID+"'", key) {
			return a, nil
		}
	}
	return directory.App{}, notFound(key)
}

// servicePrincipalWrite opens a write to the service principal the path
// names: the JSON body, then the service principal, in Graph's order (a
// bad body is refused before the lookup). A failure is answered here;
// ok says whether the handler goes on.
func (s *Server) servicePrincipalWrite(w http.ResponseWriter, r *http.Request) (raw map[string]json.RawMessage, a directory.App, ok bool) {
	raw, e := readObject(r)
	if e != nil {
		s.fail(w, r, e)
		return nil, directory.App{}, false
	}
	a, e = s.findServicePrincipal(r)
	if e != nil {
		s.fail(w, r, e)
		return nil, directory.App{}, false
	}
	return raw, a, true
}

func (s *Server) getApplication(w http.ResponseWriter, r *http.Request) {
	a, e := s.findApplication(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	t, err := s.dir.Tenant(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.writeOData(w, r, http.StatusOK, append(object{{"@odata.context", s.graph + "/$metadata#applications/$entity"}}, applicationObject(a, t)...))
}

func (s *Server) getServicePrincipal(w http.ResponseWriter, r *http.Request) {
	a, e := s.findServicePrincipal(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	o, err := s.servicePrincipalObject(r.Context(), a)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.writeOData(w, r, http.StatusOK, append(object{{"@odata.context", s.graph + "/$metadata#servicePrincipals/$entity"}}, o...))
}

// updateApplication is PATCH /applications/{id}: identifierUris (the
// Identifiers), web.redirectUris (the Reply URLs, the first the default)
// and web.logoutUrl, as the Basic SAML Configuration saves them.
func (s *Server) updateApplication(w http.ResponseWriter, r *http.Request) {
	raw, e := readObject(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	a, e := s.findApplication(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	cfg := a.SAML
	name := ""
	for k, v := range raw {
		switch k {
		case "identifierUris":
			var ids []string
			if err := json.Unmarshal(v, &ids); err != nil {
				s.fail(w, r, badValue(k, "Application", "an array of strings"))
				return
			}
			cfg.Identifiers = nil
			for i, id := range ids {
				cfg.Identifiers = append(cfg.Identifiers, directory.Identifier{Value: id, Default: i == 0})
			}
		case "web":
			var web map[string]json.RawMessage
			if err := json.Unmarshal(v, &web); err != nil {
				s.fail(w, r, badValue(k, "Application", "an object"))
				return
			}
			for wk, wv := range web {
				switch wk {
				case "redirectUris":
					var urls []string
					if err := json.Unmarshal(wv, &urls); err != nil {
						s.fail(w, r, badValue("web.redirectUris", "Application", "an array of strings"))
						return
					}
					cfg.ReplyURLs = nil
					for i, u := range urls {
						cfg.ReplyURLs = append(cfg.ReplyURLs, directory.ReplyURL{URL: u, Default: i == 0})
					}
				case "logoutUrl":
					var u *string
					if err := json.Unmarshal(wv, &u); err != nil {
						s.fail(w, r, badValue("web.logoutUrl", "Application", "a string"))
						return
					}
					cfg.LogoutURL = ""
					if u != nil {
						cfg.LogoutURL = *u
					}
				default:
					s.fail(w, r, unsupportedProperty("web."+wk, "Application"))
					return
				}
			}
		case "displayName":
			if err := json.Unmarshal(v, &name); err != nil || name != a.Name {
				s.fail(w, r, unsupportedProperty(k, "Application"))
				return
			}
		default:
			s.fail(w, r, unsupportedProperty(k, "Application"))
			return
		}
	}
	if _, err := s.dir.UpdateSAMLConfig(r.Context(), a.AppID, cfg); err != nil {
		s.failDirectory(w, r, err, "Application")
		return
	}
	s.log.Info("graph: application updated", "app", a.AppID)
	s.noContent(w, r)
}

// unsupportedProperty answers a write of a property Graph has and the mock
// does not hold: refused, never silently dropped.
func unsupportedProperty(prop, resource string) *apiError {
	return badRequest(fmt.Sprintf("ssowiz's mock Graph cannot change '%s' of a %s: it holds only what the guide's SAML and provisioning setup uses.", prop, resource),
		errorDetail{"NotSupported", prop})
}

// updateServicePrincipal is PATCH /servicePrincipals/{id}:
// preferredSingleSignOnMode (saml), appRoleAssignmentRequired, loginUrl,
// samlSingleSignOnSettings.relayState, preferredTokenSigningKeyThumbprint.
func (s *Server) updateServicePrincipal(w http.ResponseWriter, r *http.Request) {
	raw, a, ok := s.servicePrincipalWrite(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	cfg, samlChanged := a.SAML, false
	var required *bool
	var thumbprint string
	for k, v := range raw {
		switch k {
		case "preferredSingleSignOnMode":
			var mode *string
			if err := json.Unmarshal(v, &mode); err != nil || mode == nil || *mode != "saml" {
				s.fail(w, r, badRequest("ssowiz's mock Graph supports SAML single sign-on only: set preferredSingleSignOnMode to \"saml\".", errorDetail{"NotSupported", k}))
				return
			}
		case "appRoleAssignmentRequired":
			if err := json.Unmarshal(v, &required); err != nil || required == nil {
				s.fail(w, r, badValue(k, "ServicePrincipal", "true or false"))
				return
			}
		case "loginUrl":
			var u *string
			if err := json.Unmarshal(v, &u); err != nil {
				s.fail(w, r, badValue(k, "ServicePrincipal", "a string"))
				return
			}
			cfg.SignOnURL, samlChanged = "", true
			if u != nil {
				cfg.SignOnURL = *u
			}
		case "samlSingleSignOnSettings":
			var st struct {
				RelayState *string `json:"relayState"`
			}
			if err := json.Unmarshal(v, &st); err != nil {
				s.fail(w, r, badValue(k, "ServicePrincipal", "an object with relayState"))
				return
			}
			cfg.RelayState, samlChanged = "", true
			if st.RelayState != nil {
				cfg.RelayState = *st.RelayState
			}
		case "preferredTokenSigningKeyThumbprint":
			if err := json.Unmarshal(v, &thumbprint); err != nil || thumbprint == "" {
				s.fail(w, r, badValue(k, "ServicePrincipal", "a certificate's thumbprint"))
				return
			}
		default:
			s.fail(w, r, unsupportedProperty(k, "ServicePrincipal"))
			return
		}
	}
	if samlChanged {
		if _, err := s.dir.UpdateSAMLConfig(ctx, a.AppID, cfg); err != nil {
			s.failDirectory(w, r, err, "ServicePrincipal")
			return
		}
	}
	if required != nil {
		if err := s.dir.SetAssignmentRequired(ctx, a.AppID, *required); err != nil {
			s.failDirectory(w, r, err, "ServicePrincipal")
			return
		}
	}
	if thumbprint != "" {
		if err := s.dir.ActivateCertificate(ctx, a.AppID, thumbprint); errors.Is(err, directory.ErrNotFound) {
			s.fail(w, r, badRequest(fmt.Sprintf("Invalid value specified for property 'preferredTokenSigningKeyThumbprint' of resource 'ServicePrincipal': no signing certificate of this app has the thumbprint %s.", thumbprint),
				errorDetail{"InvalidValue", "preferredTokenSigningKeyThumbprint"}))
			return
		} else if err != nil {
			s.failDirectory(w, r, err, "ServicePrincipal")
			return
		}
	}
	s.log.Info("graph: service principal updated", "app", a.AppID)
	s.noContent(w, r)
}

// addTokenSigningCertificate is POST
// /servicePrincipals/{id}/addTokenSigningCertificate: a new SAML signing
// certificate (inactive until preferredTokenSigningKeyThumbprint names
// it, as in Entra).
func (s *Server) addTokenSigningCertificate(w http.ResponseWriter, r *http.Request) {
	raw, a, ok := s.servicePrincipalWrite(w, r)
	if !ok {
		return
	}
	end := s.now().AddDate(directory.CertificateYears, 0, 0)
	var cn string
	for k, v := range raw {
		switch k {
		case "displayName":
			var dn string
			if err := json.Unmarshal(v, &dn); err != nil || !strings.HasPrefix(dn, "CN=") || strings.TrimSpace(dn[3:]) == "" {
				s.fail(w, r, badRequest("Invalid value specified for property 'displayName': it must start with CN=.", errorDetail{"InvalidValue", k}))
				return
			}
			cn = strings.TrimSpace(dn[3:])
		case "endDateTime":
			var t time.Time
			if err := json.Unmarshal(v, &t); err != nil {
				s.fail(w, r, badValue(k, "SelfSignedCertificate", "a date and time like 2029-01-25T00:00:00Z"))
				return
			}
			end = t
		default:
			s.fail(w, r, badRequest(fmt.Sprintf("The parameter '%s' in the request payload is not a valid parameter for the operation 'addTokenSigningCertificate'.", k)))
			return
		}
	}
	c, err := s.dir.AddCertificateNamed(r.Context(), a.AppID, cn, end)
	if err != nil {
		s.failDirectory(w, r, err, "ServicePrincipal")
		return
	}
	thumb, _ := hex.DecodeString(c.Thumbprint)
	s.writeOData(w, r, http.StatusOK, object{
		{"@odata.context", s.graph + "/$metadata#microsoft.graph.selfSignedCertificate"},
		{"customKeyIdentifier", base64.StdEncoding.EncodeToString(thumb)},
		{"displayName", certDisplayName(c)},
		{"endDateTime", graphTime(c.NotAfter)},
		{"key", c.Base64()},
		{"keyId", uuid.NewSHA1(uuid.NameSpaceOID, []byte("ssowiz:key:"+c.Thumbprint)).String()},
		{"startDateTime", graphTime(c.NotBefore)},
		{"thumbprint", c.Thumbprint},
		{"type", "AsymmetricX509Cert"},
		{"usage", "Verify"},
	})
}
