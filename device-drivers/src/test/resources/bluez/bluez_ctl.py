'''Drives the mock BlueZ on a private bus for the scanner tests.
Usage: python3 bluez_ctl.py BUS_ADDRESS COMMAND [ARGS...]
  wait                                  until org.bluez is on the bus (10 s)
  add-adapter NAME                      AddAdapter(NAME, "storegw-test")
  remove-adapter NAME                   RemoveAdapterWithDevices(NAME)
  advertise NAME ADDR RSSI TYPE [MFG_ID=HEX ...] [UUID=HEX ...]
                                        one advertisement (manufacturer data keyed by a number,
                                        service data by a UUID)
  calls NAME METHOD                     the adapter's calls of METHOD, one per line, as repr()
'''
import sys
import time
import dbus

bus = dbus.bus.BusConnection(sys.argv[1])
command, args = sys.argv[2], sys.argv[3:]


def mock():
    return dbus.Interface(bus.get_object('org.bluez', '/'), 'org.bluez.Mock')


if command == 'wait':
    deadline = time.time() + 10
    while not bus.name_has_owner('org.bluez'):
        if time.time() > deadline:
            sys.exit('org.bluez never appeared')
        time.sleep(0.05)
elif command == 'add-adapter':
    print(mock().AddAdapter(args[0], 'storegw-test'))
elif command == 'remove-adapter':
    mock().RemoveAdapterWithDevices(args[0])
elif command == 'advertise':
    name, address, rssi, address_type = args[0], args[1], int(args[2]), args[3]
    mfg, svc = {}, {}
    for item in args[4:]:
        key, value = item.split('=', 1)
        data = dbus.Array([dbus.Byte(b) for b in bytes.fromhex(value)], signature='y')
        if '-' in key:
            svc[dbus.String(key)] = data
        else:
            mfg[dbus.UInt16(int(key, 0))] = data
    print(mock().Advertise(name, address, dbus.Int16(rssi), address_type,
                           dbus.Dictionary(mfg, signature='qay'), dbus.Dictionary(svc, signature='say')))
elif command == 'calls':
    adapter = dbus.Interface(bus.get_object('org.bluez', '/org/bluez/' + args[0]), 'org.freedesktop.DBus.Mock')
    for call in adapter.GetMethodCalls(args[1]):
        print(repr(call[1]))
else:
    sys.exit('unknown command ' + command)
