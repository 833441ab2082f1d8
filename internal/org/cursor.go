package org

import (
	"encoding/base64"
	"strconv"
	"strings"
)

func encodeCursor(name, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(name + "\x00" + id))
}

func decodeCursor(c string) (name, id string, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return "", "", false
	}
	name, id, ok = strings.Cut(string(b), "\x00")
	return name, id, ok
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func itoa(n int) string { return strconv.Itoa(n) }
