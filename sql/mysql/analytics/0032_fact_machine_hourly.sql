-- One row per machine and clock hour (UTC) with any production, downtime or sensor reading:
-- production runs and downtime intervals are apportioned to the hours they overlap, sensor
-- readings are summarised per hour.
CREATE TABLE IF NOT EXISTS fact_machine_hourly (
    date                        DATE          NOT NULL COMMENT 'Day (UTC) of the hour, the partition column',
    machine_id                  BIGINT        NOT NULL COMMENT 'Natural id of the machine (operations)',
    hour_of_day                 TINYINT       NOT NULL COMMENT 'Hour of the day (UTC), 0..23',
    hour_start                  DATETIME      NOT NULL COMMENT 'Start of the hour (UTC)',
    date_key                    INT           NOT NULL COMMENT 'Day -> dim_date.date_key',
    machine_key                 BIGINT        NOT NULL COMMENT 'Machine -> dim_machine.machine_key (0 = unknown)',
    production_line_key         BIGINT        NOT NULL COMMENT 'Line of the machine -> dim_production_line.production_line_key (0 = unknown)',
    factory_key                 BIGINT        NOT NULL COMMENT 'Factory of the machine -> dim_factory.factory_key (0 = unknown)',
    line_id                     BIGINT        NULL COMMENT 'Natural id of the line of the machine (master.machines)',
    factory_id                  BIGINT        NULL COMMENT 'Natural id of the factory of the machine (master.machines)',
    planned_minutes             DECIMAL(10,3) NOT NULL COMMENT 'Planned production time within the hour (runs apportioned by overlap), minutes',
    run_minutes                 DECIMAL(10,3) NOT NULL COMMENT 'Run time within the hour (apportioned), minutes',
    ideal_run_minutes           DECIMAL(10,3) NOT NULL COMMENT 'Ideal cycle time x units produced within the hour (apportioned), minutes (OEE performance numerator)',
    units_produced              DECIMAL(12,3) NOT NULL COMMENT 'Units produced within the hour (apportioned)',
    units_good                  DECIMAL(12,3) NOT NULL COMMENT 'Good units within the hour (apportioned)',
    units_rejected              DECIMAL(12,3) NOT NULL COMMENT 'Rejected units within the hour (apportioned)',
    unplanned_downtime_minutes  DECIMAL(10,3) NOT NULL COMMENT 'Time in DOWN state within the hour, minutes',
    planned_downtime_minutes    DECIMAL(10,3) NOT NULL COMMENT 'Time in PLANNED_DOWNTIME state within the hour, minutes',
    reading_count               INT           NOT NULL COMMENT 'Sensor readings taken within the hour',
    out_of_limit_readings       INT           NOT NULL COMMENT 'Readings below the low or above the high limit of their SCADA point',
    avg_temperature             DOUBLE        NULL COMMENT 'Mean TEMPERATURE reading, degC',
    max_temperature             DOUBLE        NULL COMMENT 'Highest TEMPERATURE reading, degC',
    avg_vibration               DOUBLE        NULL COMMENT 'Mean VIBRATION reading, mm/s',
    max_vibration               DOUBLE        NULL COMMENT 'Highest VIBRATION reading, mm/s',
    avg_pressure                DOUBLE        NULL COMMENT 'Mean PRESSURE reading, bar',
    avg_motor_current           DOUBLE        NULL COMMENT 'Mean MOTOR_CURRENT reading, A',
    updated_at                  DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, machine_id, hour_of_day),
    KEY idx_fmh_date_key (date_key),
    KEY idx_fmh_machine (machine_key),
    KEY idx_fmh_line (production_line_key),
    KEY idx_fmh_factory (factory_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Machine hours: apportioned production and downtime, sensor summaries';
