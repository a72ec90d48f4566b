package softauthn

import (
	"bytes"
	"encoding/binary"
)

// The few CBOR (RFC 8949) items an attestation object needs, definite
// lengths only.

func cborHead(b *bytes.Buffer, major byte, n uint64) {
	switch {
	case n < 24:
		b.WriteByte(major<<5 | byte(n))
	case n < 1<<8:
		b.Write([]byte{major<<5 | 24, byte(n)})
	case n < 1<<16:
		b.WriteByte(major<<5 | 25)
		b.Write(binary.BigEndian.AppendUint16(nil, uint16(n)))
	default:
		b.WriteByte(major<<5 | 26)
		b.Write(binary.BigEndian.AppendUint32(nil, uint32(n)))
	}
}

func cborInt(b *bytes.Buffer, v int64) {
	if v >= 0 {
		cborHead(b, 0, uint64(v))
		return
	}
	cborHead(b, 1, uint64(-1-v))
}

func cborBytes(b *bytes.Buffer, p []byte) { cborHead(b, 2, uint64(len(p))); b.Write(p) }
func cborText(b *bytes.Buffer, s string)  { cborHead(b, 3, uint64(len(s))); b.WriteString(s) }
func cborMap(b *bytes.Buffer, pairs int)  { cborHead(b, 5, uint64(pairs)) }
