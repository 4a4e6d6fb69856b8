package main

import (
	"dagger/fit-images/images/readme"
	"dagger/fit-images/images/size"
)

// The rules moved to images/size and images/readme; these names keep the driver building until
// it becomes an adapter over the module's release-check.

func ParseSize(s string) (int64, error) { n, err := size.Parse(s); return n, asUsage(err) }

func FormatSize(n int64) string { return size.Format(n) }

type VersionRef = readme.VersionRef

func ScanReadme(content string, osNames []string) []VersionRef { return readme.Scan(content, osNames) }

var CheckReadme = readme.Check
