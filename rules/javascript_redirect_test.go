package rules

import "testing"

func TestJavaScriptRedirectFixture(t *testing.T) { testFixture(t, JavaScriptRedirect) }
