package output

// BigReport is bigReport, for the browser tests of package output_test.
var BigReport = bigReport
