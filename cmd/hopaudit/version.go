package main

import "runtime/debug"

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise it comes from the module version go install records, or is
// "dev".
var version = ""

// appVersion returns hopaudit's version.
func appVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// defaultUserAgent is the User-Agent sent unless --user-agent says otherwise.
func defaultUserAgent() string {
	return "hopaudit/" + appVersion() + " (+https://github.com/hopaudit/hopaudit)"
}
