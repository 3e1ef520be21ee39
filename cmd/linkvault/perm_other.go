//go:build !unix

package main

func permissionHint(err error) string { return "" }
