# Generates the DHCP fuzz seed + regression corpora. Run from tests/fuzz: python3 dhcp_decode/generate_corpus.py
import os, struct
MAC = bytes([0x52,0x54,0x00,0x12,0x34,0x56])
def header(xid=0x11223344, flags=0, hlen=6, ciaddr=b'\0'*4, giaddr=b'\0'*4, file=b'', sname=b''):
    b = bytearray(240)
    b[0]=1; b[1]=1; b[2]=hlen
    b[4:8]=struct.pack('!I', xid); b[10:12]=struct.pack('!H', flags)
    b[12:16]=ciaddr; b[24:28]=giaddr
    b[28:34]=MAC
    b[44:44+len(sname)]=sname; b[108:108+len(file)]=file
    b[236:240]=bytes([99,130,83,99])
    return b
def opt(code, data): return bytes([code, len(data)]) + bytes(data)
UUID = bytes([0,0x44,0x33,0x22,0x11,0x66,0x55,0x88,0x77,0x99,0xaa,0xbb,0xcc,0xdd,0xee,0xff,0x01])
IPXE55 = bytes([1,3,6,7,12,15,17,26,43,60,66,67,119,128,129,130,131,132,133,134,135,175,203])
IPXE175 = bytes([0xb1,5,1,0x80,0x86,0x10,0x0e,0x10,1,2,0x13,1,1,0x11,1,1,0x15,1,1,0xeb,3,1,0,0])
def seabios(t=1):
    return bytes(header()) + opt(53,[t]) + opt(57,[5,0xc0]) + opt(93,[0,0]) + opt(94,[1,2,1]) + \
        opt(60,b'PXEClient:Arch:00000:UNDI:002001') + opt(77,b'iPXE') + opt(55,IPXE55) + opt(175,IPXE175) + \
        opt(61,b'\x01'+MAC) + opt(97,UUID) + b'\xff'
def ovmf(t=1):
    return bytes(header(0x55667788, 0x8000)) + opt(53,[t]) + opt(57,[5,0xc0]) + \
        opt(55,[1,2,3,4,5,6,12,13,15,17,18,22,23,28,40,41,42,43,50,51,54,58,59,60,66,67,97,128,129,130,131,132,133,134,135]) + \
        opt(97,UUID) + opt(94,[1,3,0]) + opt(93,[0,7]) + opt(60,b'PXEClient:Arch:00007:UNDI:003000') + b'\xff'
def ipxe_efi(t=1):
    return bytes(header(0x01020304)) + opt(53,[t]) + opt(57,[5,0xc0]) + opt(93,[0,7]) + opt(94,[1,3,10]) + \
        opt(60,b'PXEClient:Arch:00007:UNDI:003010') + opt(77,b'iPXE') + opt(55,IPXE55) + opt(175,IPXE175) + \
        opt(61,b'\x01'+MAC) + opt(97,bytes(17)) + b'\xff'
def plain(t, extra=b'', **kw):
    return bytes(header(**kw)) + opt(53,[t]) + extra + b'\xff'
SID = opt(54,[192,0,2,1]); REQ = lambda ip: opt(50, ip)
seeds = {
  'seabios_ipxe_discover': seabios(), 'seabios_ipxe_request': seabios(3)[:-1] + SID + REQ([192,0,2,50]) + b'\xff',
  'ovmf_pxe_discover': ovmf(), 'ovmf_pxe_request_4011': ovmf(3),
  'ipxe_efi_discover': ipxe_efi(),
  'http_boot_discover': plain(1, opt(93,[0,16]) + opt(60,b'HTTPClient:Arch:00016:UNDI:003001')),
  'arm64_discover': plain(1, opt(93,[0,11]) + opt(60,b'PXEClient:Arch:00011:UNDI:003000')),
  'plain_discover': plain(1, opt(55,[1,3,6,12,15]) + opt(12,b'box')),
  'select_request': plain(3, SID + REQ([192,0,2,100])),
  'init_reboot': plain(3, REQ([192,0,2,101])),
  'renew': plain(3, b'', ciaddr=bytes([192,0,2,100])),
  'release': plain(7, SID, ciaddr=bytes([192,0,2,100])),
  'decline': plain(4, SID + REQ([192,0,2,100])),
  'inform': plain(8, b'', ciaddr=bytes([192,0,2,77])),
  'relayed_discover': plain(1, opt(82, b'\x01\x04port'), giaddr=bytes([198,51,100,1])),
  'overloaded': bytes(header(file=b'\x0c\x04node\xff', sname=b'\x3c\x03PXE\xff')) + opt(53,[1]) + opt(52,[3]) + b'\xff',
  'split_option': plain(1, opt(12,b'rack') + opt(12,b'-host')),
  'big_max_size': plain(1, opt(57,[0xff,0xff]) + opt(55, bytes(range(1,255)))),
}
regress = {}
for code in (61, 97, 60, 77, 12, 53, 55, 93, 94, 57):
    regress[f'zero_length_{code}'] = plain(1, bytes([code, 0]))
    regress[f'overlong_{code}'] = bytes(header()) + opt(53,[1]) + bytes([code, 250]) + b'x'*20
regress['overlong_97_18'] = plain(1, opt(97, bytes(18)))
regress['overlong_61_255'] = plain(1, opt(61, b'\x01' + b'x'*254))
regress['hlen_17'] = bytes(header(hlen=17)) + opt(53,[1]) + b'\xff'
regress['hlen_255'] = bytes(header(hlen=255)) + opt(53,[1]) + b'\xff'
regress['option_code_at_end'] = bytes(header()) + opt(53,[1]) + b'\x0c'
regress['option_len_past_end'] = bytes(header()) + opt(53,[1]) + b'\x3d\x10\x01'
regress['overload_loop'] = bytes(header(file=b'\x34\x01\x03\x34\x01\x03\xff', sname=b'\x34\x01\x01\xff')) + opt(53,[1]) + opt(52,[3]) + b'\xff'
regress['overload_bad_value'] = plain(1, opt(52,[7]))
regress['overload_file_past_end'] = bytes(header(file=b'\x0c\xc8')) + opt(53,[1]) + opt(52,[1]) + b'\xff'
regress['too_short'] = bytes(header())[:200]
regress['no_cookie'] = bytes(header())[:236] + b'\0\0\0\0' + opt(53,[1])
regress['bootreply'] = b'\x02' + plain(2)[1:]
regress['uuid_all_zero'] = plain(1, opt(97, bytes(17)) + opt(60, b'PXEClient'))
regress['pxe_suboptions_broken'] = plain(1, opt(43, b'\x06\x05\x08') + opt(175, b'\xb0') + opt(60, b'PXEClient'))
regress['nul_terminated_vendor_class'] = plain(1, opt(60, b'PXEClient\0\0'))
regress['vendor_class_only_nuls'] = plain(1, opt(60, b'\0\0'))
regress['user_class_rfc3004_bad'] = plain(1, opt(77, b'\x05iPXE'))
def write(d, items, prefix=b''):
    os.makedirs(d, exist_ok=True)
    for name, data in items.items():
        open(os.path.join(d, name), 'wb').write(prefix + data)
write('dhcp_decode/corpus/seed', seeds); write('dhcp_decode/corpus/regression', regress)
for sel, tag in ((0, 'server'), (1, 'proxy'), (3, 'proxy4011')):
    write(f'dhcp_exchange/corpus/{tag}', {**seeds, **regress}, bytes([sel]))
