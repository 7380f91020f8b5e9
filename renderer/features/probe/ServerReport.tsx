import { useTranslation } from 'react-i18next';
import type { RedfishProbeResult } from '../../../shared/domain/redfish.js';
import { formatDateTime } from '../../components/format.js';

const dash = (value: string | number | null | undefined, unit = '') => (value === null || value === undefined ? '—' : `${value}${unit}`);

function HealthBadge({ health }: { health: 'OK' | 'Warning' | 'Critical' | 'unknown' }) {
  const { t } = useTranslation();
  const tone = health === 'OK' ? 'badge-ok' : health === 'unknown' ? 'badge-muted' : health === 'Warning' ? 'badge-warn' : 'badge-error';
  return <span className={`badge ${tone}`}>{t(`probe.redfish.healthState.${health}`)}</span>;
}

/** A server as its BMC describes it: identity, health, parts, sensors, firmware and the latest events. */
export function ServerReport({ inventory }: { inventory: RedfishProbeResult }) {
  const { t, i18n } = useTranslation();
  // Said, so nobody takes a vendor's own figure for the standard one.
  const oemNote = (filled: string[] | undefined) =>
    filled && filled.length > 0 ? (
      <p className="muted small" data-testid="redfish-oem-filled">
        {t('probe.redfish.oemFilled', { fields: filled.join('; ') })}
      </p>
    ) : null;
  return (
    <div className="report" data-testid="redfish-report">
      {inventory.systems.map((system) => (
        <section className="card" key={system.id}>
          <h2>
            <span className="kind-badge">{t('probe.redfish.system')}</span> {system.vendor} {system.model}
          </h2>
          <dl className="facts">
            <div>
              <dt>{t('probe.redfish.serial')}</dt>
              <dd>{dash(system.serial)}</dd>
            </div>
            <div>
              <dt>{t('probe.redfish.power')}</dt>
              <dd data-testid="redfish-power">{t(`probe.redfish.powerState.${system.powerState}`)}</dd>
            </div>
            <div>
              <dt>{t('probe.redfish.health')}</dt>
              <dd>
                <HealthBadge health={system.status.healthRollup} />
              </dd>
            </div>
            <div>
              <dt>{t('probe.redfish.bios')}</dt>
              <dd>{dash(system.biosVersion)}</dd>
            </div>
            <div>
              <dt>{t('probe.redfish.cpus')}</dt>
              <dd>
                {dash(system.processorCount)} × {dash(system.processorModel)}
              </dd>
            </div>
            <div>
              <dt>{t('probe.redfish.memory')}</dt>
              <dd>{dash(system.memoryGiB, ' GiB')}</dd>
            </div>
            <div>
              <dt>{t('probe.redfish.drives')}</dt>
              <dd>{system.storage.flatMap((storage) => storage.drives).length}</dd>
            </div>
            <div>
              <dt>{t('probe.redfish.nics')}</dt>
              <dd>{system.networkPorts.length}</dd>
            </div>
          </dl>
          {oemNote(system.oemFilled)}
          <p className="muted small">{t('probe.readAt', { time: formatDateTime(inventory.observedAt, i18n.language) })}</p>
        </section>
      ))}
      {inventory.systems.map((system) => (
        <section className="card" key={`parts-${system.id}`} data-testid="redfish-parts">
          <h2>{t('probe.redfish.parts')}</h2>
          <table className="simple-table">
            <tbody>
              {system.processors.map((cpu) => (
                <tr key={`cpu-${cpu.id}`}>
                  <td>{t('probe.redfish.cpus')}</td>
                  <td>{cpu.socket ?? cpu.id}</td>
                  <td>
                    {dash(cpu.model)}
                    {cpu.cores !== null ? ` · ${cpu.cores} ${t('probe.redfish.cores')}` : ''}
                  </td>
                  <td>
                    <HealthBadge health={cpu.status.health} />
                  </td>
                </tr>
              ))}
              {system.memory.map((dimm) => (
                <tr key={`dimm-${dimm.id}`}>
                  <td>{t('probe.redfish.memory')}</td>
                  <td>{dimm.location ?? dimm.id}</td>
                  <td>
                    {dimm.capacityMiB !== null ? `${dimm.capacityMiB / 1024} GiB` : '—'}
                    {dimm.type ? ` · ${dimm.type}` : ''}
                  </td>
                  <td>
                    <HealthBadge health={dimm.status.health} />
                  </td>
                </tr>
              ))}
              {system.storage.flatMap((storage) =>
                storage.drives.map((drive) => (
                  <tr key={`drive-${storage.id}-${drive.id}`}>
                    <td>{t('probe.redfish.drives')}</td>
                    <td>{drive.name ?? drive.id}</td>
                    <td>
                      {dash(drive.model)}
                      {drive.capacityBytes !== null ? ` · ${Math.round(drive.capacityBytes / 1e9)} GB` : ''}
                    </td>
                    <td>
                      <HealthBadge health={drive.status.health} />
                    </td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </section>
      ))}
      {inventory.chassis.map((chassis) => (
        <section className="card" key={chassis.id} data-testid="redfish-chassis">
          <h2>
            {chassis.name ?? chassis.id} <HealthBadge health={chassis.status.healthRollup} />
          </h2>
          <table className="simple-table">
            <tbody>
              {chassis.powerSupplies.map((psu) => (
                <tr key={`psu-${psu.id}`}>
                  <td>{t('probe.redfish.psus')}</td>
                  <td>{psu.name ?? psu.id}</td>
                  <td>{dash(psu.capacityWatts, ' W')}</td>
                  <td>
                    <HealthBadge health={psu.status.health} />
                  </td>
                </tr>
              ))}
              {chassis.fans.map((fan) => (
                <tr key={`fan-${fan.id}`}>
                  <td>{t('probe.redfish.fans')}</td>
                  <td>{fan.name ?? fan.id}</td>
                  <td>{dash(fan.speed, fan.unit === 'RPM' ? ' RPM' : fan.unit === 'Percent' ? ' %' : '')}</td>
                  <td>
                    <HealthBadge health={fan.status.health} />
                  </td>
                </tr>
              ))}
              {chassis.temperatures.map((reading) => (
                <tr key={`temp-${reading.id}`}>
                  <td>{t('probe.redfish.temperatures')}</td>
                  <td>{reading.name ?? reading.id}</td>
                  <td>{dash(reading.value, ' °C')}</td>
                  <td>
                    <HealthBadge health={reading.status.health} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {oemNote(chassis.oemFilled)}
        </section>
      ))}
      <section className="card">
        <h2>{t('probe.redfish.firmware')}</h2>
        <dl className="facts">
          {inventory.managers.map((manager) => (
            <div key={`manager-${manager.id}`}>
              <dt>
                {t('probe.redfish.bmc')} {manager.id}
              </dt>
              <dd>
                {dash(manager.firmware)}
                {/* This card shows the firmware: only that is said here. */}
                {oemNote(manager.oemFilled?.filter((entry) => entry.startsWith('firmware ')))}
              </dd>
            </div>
          ))}
          {inventory.firmware.map((item) => (
            <div key={`fw-${item.id}`}>
              <dt>{item.name ?? item.id}</dt>
              <dd>{dash(item.version)}</dd>
            </div>
          ))}
        </dl>
        {inventory.certificateFingerprint ? <p className="muted small mono break-all">SHA-256 {inventory.certificateFingerprint}</p> : null}
      </section>
      {inventory.logEntries.length > 0 ? (
        <section className="card">
          <h2>{t('probe.redfish.log')}</h2>
          <ul className="log">
            {inventory.logEntries.slice(-10).map((entry) => (
              <li key={entry.id}>
                <span className="muted small">{entry.created ? formatDateTime(entry.created, i18n.language) : ''}</span> {entry.severity ? `[${entry.severity}]` : ''} {entry.message}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {inventory.problems.length > 0 ? (
        <section className="card">
          <h2>{t('probe.problems')}</h2>
          <ul>
            {inventory.problems.map((problem) => (
              <li key={problem.resource} className="mono small">
                {problem.message}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
