// Package rules is hopaudit's catalogue of redirect rules.
package rules

import "github.com/hopaudit/hopaudit/audit"

// All returns every rule, in a fixed order: the order of `hopaudit rules`
// and of the summary.
func All() []*audit.Rule {
	return []*audit.Rule{
		TemporaryRedirect,
		RedirectChain,
		RedirectChainTooLong,
		RedirectLoop,
		MissingLocation,
		InvalidLocation,
		BrokenLink,
		BrokenRedirect,
		HTTPSDowngrade,
		MetaRefresh,
		JavaScriptRedirect,
		LinkToRedirect,
		ResourceRedirect,
		SitemapRedirect,
		CanonicalToRedirect,
		HreflangToRedirect,
		FormPostRedirect,
		RedirectToBlocked,
		QueryDropped,
		CacheableTemporaryRedirect,
		UncacheablePermanentRedirect,
		DeprecatedStatus,
		ExternalRedirect,
		RedirectTargetNotIndexable,
		RedirectMapMismatch,
		RedirectMapMissing,
	}
}
