package fakegraph_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/mdmforge/mdmforge/internal/fakegraph"
)

// A client's request is checked against Graph's metadata: iOS
// restrictions have no allowContactsSync.
func Example() {
	s := fakegraph.New(fakegraph.Options{Token: "t"})
	defer s.Close()
	body := `{"@odata.type": "#microsoft.graph.iosGeneralDeviceConfiguration", "displayName": "R", "allowContactsSync": true}`
	req, _ := http.NewRequest("POST", s.URL+"/v1.0/deviceManagement/deviceConfigurations", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer t")
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.Client().Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, strings.Contains(string(b), "type iosGeneralDeviceConfiguration has no property allowContactsSync in Graph v1.0"))
	for _, r := range s.Requests() {
		fmt.Println(r)
	}
	// Output:
	// 400 true
	// POST /v1.0/deviceManagement/deviceConfigurations 400
}

// State shows the tenant without ids or server-set properties, so that
// two runs compare byte for byte.
func ExampleServer_State() {
	s := fakegraph.New(fakegraph.Options{})
	defer s.Close()
	s.Seed("v1.0", "deviceManagement/deviceCompliancePolicies", map[string]any{
		"@odata.type": "#microsoft.graph.iosCompliancePolicy", "displayName": "Compliance", "osMinimumVersion": "13.0"})
	fmt.Print(string(s.State()))
	// Output:
	// {
	//   "deviceAppManagement/mobileAppConfigurations": [],
	//   "deviceAppManagement/targetedManagedAppConfigurations": [],
	//   "deviceManagement/deviceCompliancePolicies": [
	//     {
	//       "@odata.type": "#microsoft.graph.iosCompliancePolicy",
	//       "displayName": "Compliance",
	//       "osMinimumVersion": "13.0",
	//       "roleScopeTagIds": [
	//         "0"
	//       ]
	//     }
	//   ],
	//   "deviceManagement/deviceConfigurations": [],
	//   "identity/conditionalAccess/policies": []
	// }
}
