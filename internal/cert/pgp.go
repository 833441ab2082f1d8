package cert

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"math/big"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	// Hashes a self-signature may name.
	_ "crypto/sha256"
	_ "crypto/sha512"

	"harambee.africa/harambee/internal/errs"
)

// This file reads OpenPGP public keys (RFC 4880 and RFC 9580, version 4
// keys) with the standard library: the armour, the packets, the primary
// key's fingerprint, its user ids and self-signatures, which are verified
// (RSA and Ed25519), and the key's expiry and revocation.
//
// Why not github.com/ProtonMail/go-crypto: its packet package needs
// github.com/cloudflare/circl, which go.sum does not list, so importing it
// would break the build of the whole tree. Swapping this file for it later
// keeps ParseKey's contract.

// OpenPGP constants used here.
const (
	tagSignature = 2
	tagSecretKey = 5
	tagPublicKey = 6
	tagSecretSub = 7
	tagUserID    = 13
	tagPublicSub = 14

	algoRSA        = 1
	algoRSASign    = 3
	algoElGamal    = 16
	algoDSA        = 17
	algoECDH       = 18
	algoECDSA      = 19
	algoEdDSA      = 22 // the legacy Ed25519 of RFC 4880bis
	algoX25519     = 25
	algoX448       = 26
	algoEd25519    = 27
	algoEd448      = 28
	sigCertFirst   = 0x10
	sigCertLast    = 0x13
	sigDirectKey   = 0x1f
	sigKeyRevoke   = 0x20
	subCreated     = 2
	subSigExpires  = 3
	subKeyExpires  = 9
	subPrimaryUser = 25
)

var errKey = func(key string) error { return errs.Field("cert.key", map[string]string{"pgp_key": key}) }

var algoNames = map[byte]string{algoRSA: "RSA", algoRSASign: "RSA", algoElGamal: "ElGamal", algoDSA: "DSA", algoECDH: "ECDH",
	algoECDSA: "ECDSA", algoEdDSA: "EdDSA (Ed25519)", algoX25519: "X25519", algoX448: "X448", algoEd25519: "Ed25519", algoEd448: "Ed448"}

// ParseKey reads an ASCII-armoured OpenPGP public key. It refuses what does
// not parse, private keys, several keys in one block, keys of algorithms
// whose self-signatures it cannot check, revoked keys, and keys (or their
// self-signatures) expired at now.
func ParseKey(armored string, now time.Time) (*Key, error) {
	armored = strings.TrimSpace(armored)
	if len(armored) > MaxKeyBytes {
		return nil, errKey("cert.error.key_large")
	}
	kind, data, ok := dearmor(armored)
	if !ok {
		return nil, errKey("cert.error.key_parse")
	}
	if kind == "PGP PRIVATE KEY BLOCK" {
		return nil, errKey("cert.error.key_private")
	}
	if kind != "PGP PUBLIC KEY BLOCK" {
		return nil, errKey("cert.error.key_parse")
	}
	packets, ok := readPackets(data)
	if !ok || len(packets) == 0 {
		return nil, errKey("cert.error.key_parse")
	}
	primaries := 0
	for _, p := range packets {
		switch p.tag {
		case tagSecretKey, tagSecretSub:
			return nil, errKey("cert.error.key_private")
		case tagPublicKey:
			primaries++
		}
	}
	if packets[0].tag != tagPublicKey {
		return nil, errKey("cert.error.key_parse")
	}
	if primaries > 1 {
		return nil, errKey("cert.error.key_several")
	}
	pk, err := parsePublicKey(packets[0].body)
	if err != nil {
		return nil, err
	}
	k := &Key{Fingerprint: pk.fingerprint, Algorithm: algoNames[pk.algo], Bits: pk.bits, Created: pk.created, UserIDs: []string{}}
	var best *signature // the newest self-signature: it says when the key expires
	var bestPrimary bool
	var userID []byte
	inSubkeys := false
	for _, p := range packets[1:] {
		switch p.tag {
		case tagUserID:
			userID, inSubkeys = p.body, false
		case tagPublicSub:
			inSubkeys = true
		case tagSignature:
			if inSubkeys {
				continue
			}
			sig, ok := parseSignature(p.body)
			if !ok || sig.issuerMismatch(pk) {
				continue
			}
			var uid []byte
			switch {
			case sig.kind == sigKeyRevoke, sig.kind == sigDirectKey:
			case sig.kind >= sigCertFirst && sig.kind <= sigCertLast && userID != nil:
				uid = userID
			default:
				continue
			}
			if !pk.verify(sig, uid) {
				continue
			}
			if sig.kind == sigKeyRevoke {
				return nil, errKey("cert.error.key_revoked")
			}
			if uid != nil {
				name := string(uid)
				if utf8.ValidString(name) && !slices.Contains(k.UserIDs, name) {
					k.UserIDs = append(k.UserIDs, name)
				}
			}
			// The primary user id's newest self-signature wins, else the newest.
			if best == nil || sig.primary && !bestPrimary || sig.primary == bestPrimary && sig.created.After(best.created) {
				best, bestPrimary = sig, sig.primary
			}
		}
	}
	if best == nil {
		return nil, errKey("cert.error.key_unsigned")
	}
	if best.keyExpires > 0 {
		t := pk.created.Add(time.Duration(best.keyExpires) * time.Second)
		k.Expires = &t
	}
	if best.sigExpires > 0 {
		t := best.created.Add(time.Duration(best.sigExpires) * time.Second)
		if k.Expires == nil || t.Before(*k.Expires) {
			k.Expires = &t
		}
	}
	if k.Expires != nil && !now.Before(*k.Expires) {
		return nil, errKey("cert.error.key_expired")
	}
	slices.Sort(k.UserIDs)
	return k, nil
}

// dearmor returns the armour's kind ("PGP PUBLIC KEY BLOCK") and its bytes,
// checking the CRC-24 when the armour carries one.
func dearmor(s string) (kind string, data []byte, ok bool) {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	if len(lines) < 3 {
		return "", nil, false
	}
	begin := strings.TrimSpace(lines[0])
	kind, ok = strings.CutPrefix(begin, "-----BEGIN ")
	if !ok || !strings.HasSuffix(kind, "-----") {
		return "", nil, false
	}
	kind = strings.TrimSuffix(kind, "-----")
	i := 1
	for ; i < len(lines) && strings.Contains(lines[i], ": "); i++ { // armour headers
	}
	var body strings.Builder
	var crc string
	end := false
	for ; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		switch {
		case l == "":
		case l == "-----END "+kind+"-----":
			end = true
		case strings.HasPrefix(l, "="):
			crc = l[1:]
		default:
			if end {
				return "", nil, false
			}
			body.WriteString(l)
		}
		if end {
			break
		}
	}
	if !end {
		return "", nil, false
	}
	data, err := base64.StdEncoding.DecodeString(body.String())
	if err != nil {
		return "", nil, false
	}
	if crc != "" {
		want, err := base64.StdEncoding.DecodeString(crc)
		if err != nil || len(want) != 3 || crc24(data) != uint32(want[0])<<16|uint32(want[1])<<8|uint32(want[2]) {
			return "", nil, false
		}
	}
	return kind, data, true
}

func crc24(b []byte) uint32 {
	crc := uint32(0xb704ce)
	for _, c := range b {
		crc ^= uint32(c) << 16
		for range 8 {
			crc <<= 1
			if crc&0x1000000 != 0 {
				crc ^= 0x1864cfb
			}
		}
	}
	return crc & 0xffffff
}

type pgpPacket struct {
	tag  byte
	body []byte
}

// readPackets splits data into packets; partial lengths, which key
// material never uses, are refused.
func readPackets(data []byte) ([]pgpPacket, bool) {
	var out []pgpPacket
	for len(data) > 0 {
		h := data[0]
		if h&0x80 == 0 {
			return nil, false
		}
		var tag byte
		var n, skip int
		if h&0x40 != 0 { // new format
			tag = h & 0x3f
			if len(data) < 2 {
				return nil, false
			}
			switch o := int(data[1]); {
			case o < 192:
				n, skip = o, 2
			case o < 224:
				if len(data) < 3 {
					return nil, false
				}
				n, skip = (o-192)<<8+int(data[2])+192, 3
			case o == 255:
				if len(data) < 6 {
					return nil, false
				}
				n, skip = int(binary.BigEndian.Uint32(data[2:6])), 6
			default:
				return nil, false
			}
		} else { // old format
			tag = (h >> 2) & 0x0f
			switch h & 3 {
			case 0:
				if len(data) < 2 {
					return nil, false
				}
				n, skip = int(data[1]), 2
			case 1:
				if len(data) < 3 {
					return nil, false
				}
				n, skip = int(binary.BigEndian.Uint16(data[1:3])), 3
			case 2:
				if len(data) < 5 {
					return nil, false
				}
				n, skip = int(binary.BigEndian.Uint32(data[1:5])), 5
			default:
				return nil, false
			}
		}
		if n < 0 || skip+n > len(data) {
			return nil, false
		}
		out = append(out, pgpPacket{tag: tag, body: data[skip : skip+n]})
		data = data[skip+n:]
	}
	return out, true
}

type publicKey struct {
	body        []byte
	algo        byte
	created     time.Time
	fingerprint string
	keyID       []byte
	bits        int
	rsa         *rsa.PublicKey
	ed25519     ed25519.PublicKey
}

// mpi reads a multiprecision integer.
func mpi(b []byte) (v, rest []byte, ok bool) {
	if len(b) < 2 {
		return nil, nil, false
	}
	bits := int(binary.BigEndian.Uint16(b))
	n := (bits + 7) / 8
	if len(b) < 2+n {
		return nil, nil, false
	}
	return b[2 : 2+n], b[2+n:], true
}

func parsePublicKey(body []byte) (*publicKey, error) {
	if len(body) < 6 {
		return nil, errKey("cert.error.key_parse")
	}
	if body[0] != 4 {
		return nil, errKey("cert.error.key_version")
	}
	pk := &publicKey{body: body, algo: body[5], created: time.Unix(int64(binary.BigEndian.Uint32(body[1:5])), 0).UTC()}
	sum := sha1.Sum(append([]byte{0x99, byte(len(body) >> 8), byte(len(body))}, body...))
	pk.fingerprint = strings.ToUpper(hex.EncodeToString(sum[:]))
	pk.keyID = sum[12:]
	rest := body[6:]
	switch pk.algo {
	case algoRSA, algoRSASign:
		n, r, ok := mpi(rest)
		e, _, ok2 := mpi(r)
		if !ok || !ok2 || len(e) > 4 || len(n) == 0 {
			return nil, errKey("cert.error.key_parse")
		}
		var ev int
		for _, c := range e {
			ev = ev<<8 | int(c)
		}
		pk.rsa = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: ev}
		pk.bits = pk.rsa.N.BitLen()
	case algoEdDSA:
		if len(rest) < 1 || len(rest) < 1+int(rest[0]) {
			return nil, errKey("cert.error.key_parse")
		}
		oid := hex.EncodeToString(rest[1 : 1+int(rest[0])])
		point, _, ok := mpi(rest[1+int(rest[0]):])
		if !ok || oid != "2b06010401da470f01" || len(point) != 33 || point[0] != 0x40 {
			return nil, errKey("cert.error.key_algorithm")
		}
		pk.ed25519, pk.bits = ed25519.PublicKey(point[1:]), 256
	case algoEd25519:
		if len(rest) != 32 {
			return nil, errKey("cert.error.key_parse")
		}
		pk.ed25519, pk.bits = ed25519.PublicKey(rest), 256
	default:
		return nil, errKey("cert.error.key_algorithm")
	}
	return pk, nil
}

type signature struct {
	kind, algo, hash byte
	hashed           []byte // version to the end of the hashed subpackets
	left             []byte
	values           []byte // the algorithm-specific signature data
	created          time.Time
	keyExpires       uint32
	sigExpires       uint32
	primary          bool
	issuer           []byte
}

func parseSignature(b []byte) (*signature, bool) {
	if len(b) < 6 || b[0] != 4 {
		return nil, false
	}
	s := &signature{kind: b[1], algo: b[2], hash: b[3]}
	hl := int(binary.BigEndian.Uint16(b[4:6]))
	if len(b) < 6+hl+2 {
		return nil, false
	}
	s.hashed = b[:6+hl]
	if !s.subpackets(b[6:6+hl], true) {
		return nil, false
	}
	rest := b[6+hl:]
	ul := int(binary.BigEndian.Uint16(rest[:2]))
	if len(rest) < 2+ul+2 {
		return nil, false
	}
	if !s.subpackets(rest[2:2+ul], false) {
		return nil, false
	}
	rest = rest[2+ul:]
	s.left, s.values = rest[:2], rest[2:]
	return s, !s.created.IsZero()
}

func (s *signature) subpackets(b []byte, hashed bool) bool {
	for len(b) > 0 {
		var n, skip int
		switch o := int(b[0]); {
		case o < 192:
			n, skip = o, 1
		case o < 255:
			if len(b) < 2 {
				return false
			}
			n, skip = (o-192)<<8+int(b[1])+192, 2
		default:
			if len(b) < 5 {
				return false
			}
			n, skip = int(binary.BigEndian.Uint32(b[1:5])), 5
		}
		if n < 1 || skip+n > len(b) {
			return false
		}
		typ, data := b[skip]&0x7f, b[skip+1:skip+n]
		b = b[skip+n:]
		if !hashed {
			if typ == 16 && len(data) == 8 {
				s.issuer = data
			}
			continue // only hashed subpackets are signed
		}
		switch typ {
		case subCreated:
			if len(data) == 4 {
				s.created = time.Unix(int64(binary.BigEndian.Uint32(data)), 0).UTC()
			}
		case subSigExpires:
			if len(data) == 4 {
				s.sigExpires = binary.BigEndian.Uint32(data)
			}
		case subKeyExpires:
			if len(data) == 4 {
				s.keyExpires = binary.BigEndian.Uint32(data)
			}
		case subPrimaryUser:
			s.primary = len(data) == 1 && data[0] != 0
		case 16:
			if len(data) == 8 {
				s.issuer = data
			}
		}
	}
	return true
}

// issuerMismatch reports a signature that names another key as its issuer.
func (s *signature) issuerMismatch(pk *publicKey) bool {
	return s.issuer != nil && !bytes.Equal(s.issuer, pk.keyID)
}

var hashes = map[byte]crypto.Hash{2: crypto.SHA1, 8: crypto.SHA256, 9: crypto.SHA384, 10: crypto.SHA512, 11: crypto.SHA224}

// verify checks a self-signature over the key (and the user id, for a certification).
func (pk *publicKey) verify(s *signature, userID []byte) bool {
	hf, ok := hashes[s.hash]
	if !ok || !hf.Available() || s.algo != pk.algo {
		return false
	}
	h := hf.New()
	writeKey(h, pk.body)
	if userID != nil {
		h.Write([]byte{0xb4})
		h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(userID))))
		h.Write(userID)
	}
	h.Write(s.hashed)
	h.Write([]byte{0x04, 0xff})
	h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(s.hashed))))
	digest := h.Sum(nil)
	if !bytes.Equal(digest[:2], s.left) {
		return false
	}
	switch pk.algo {
	case algoRSA, algoRSASign:
		sig, _, ok := mpi(s.values)
		if !ok {
			return false
		}
		size := (pk.rsa.N.BitLen() + 7) / 8
		if len(sig) > size {
			return false
		}
		padded := make([]byte, size)
		copy(padded[size-len(sig):], sig)
		return rsa.VerifyPKCS1v15(pk.rsa, hf, digest, padded) == nil
	case algoEdDSA:
		r, rest, ok := mpi(s.values)
		sv, _, ok2 := mpi(rest)
		if !ok || !ok2 || len(r) > 32 || len(sv) > 32 {
			return false
		}
		sig := make([]byte, 64)
		copy(sig[32-len(r):32], r)
		copy(sig[64-len(sv):], sv)
		return ed25519.Verify(pk.ed25519, digest, sig)
	case algoEd25519:
		return len(s.values) == 64 && ed25519.Verify(pk.ed25519, digest, s.values)
	}
	return false
}

func writeKey(h hash.Hash, body []byte) {
	h.Write([]byte{0x99, byte(len(body) >> 8), byte(len(body))})
	h.Write(body)
}
