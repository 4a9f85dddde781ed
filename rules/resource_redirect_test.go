package rules

import "testing"

func TestResourceRedirect(t *testing.T) { testFixture(t, ResourceRedirect) }
