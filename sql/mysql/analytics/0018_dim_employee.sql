-- Employees as they were over time (type 2): department, job title, employment and pay from hr.
-- Only what analysis needs; e-mail and other contact data stay out of the warehouse.
CREATE TABLE IF NOT EXISTS dim_employee (
    employee_key            BIGINT        NOT NULL COMMENT 'Surrogate key of one version; facts join on it (fact.employee_key and role-playing keys such as technician_employee_key = dim_employee.employee_key, the version valid on the fact''s date); 0 = unknown member',
    employee_id             BIGINT        NOT NULL COMMENT 'Natural key: hr.employees.employee_id (-1 for the unknown member)',
    employee_number         VARCHAR(64)   NOT NULL COMMENT 'Personnel number (corrected in every version)',
    full_name               VARCHAR(200)  NOT NULL COMMENT 'First and last name (corrected in every version)',
    job_title               VARCHAR(200)  NULL COMMENT 'Job title (tracked: a change opens a new version)',
    department_id           BIGINT        NULL COMMENT 'Department (hr.departments) (tracked)',
    department_code         VARCHAR(64)   NULL COMMENT 'Business code of the department (corrected in every version)',
    department_name         VARCHAR(200)  NULL COMMENT 'Name of the department (corrected in every version)',
    factory_id              BIGINT        NULL COMMENT 'Factory the employee works at, NULL for central functions (tracked)',
    manager_employee_id     BIGINT        NULL COMMENT 'Manager, an employee (tracked)',
    employment_type         VARCHAR(16)   NULL COMMENT 'FULL_TIME, PART_TIME or CONTRACTOR (tracked)',
    hourly_rate             DECIMAL(10,2) NULL COMMENT 'Hourly rate, currency units (tracked)',
    status                  VARCHAR(16)   NULL COMMENT 'ACTIVE, ON_LEAVE or TERMINATED (tracked)',
    hire_date               DATE          NULL COMMENT 'Day of hire (corrected in every version)',
    termination_date        DATE          NULL COMMENT 'Day of termination, NULL while employed (corrected in every version)',
    valid_from              DATE          NOT NULL COMMENT 'First day this version is valid (inclusive); 1900-01-01 for a first version',
    valid_to                DATE          NOT NULL COMMENT 'Day this version stops being valid (exclusive); 9999-12-31 while current',
    is_current              TINYINT       NOT NULL COMMENT '1 for the current version of a member still in the source',
    version                 INT           NOT NULL COMMENT 'Version number of the member, 1 = first seen',
    row_hash                CHAR(64)      NOT NULL COMMENT 'SHA-256 of the tracked attributes (change detection)',
    updated_at              DATETIME(6)   NOT NULL COMMENT 'When the platform last changed this row (UTC)',
    PRIMARY KEY (employee_key),
    -- grain: (employee_id, version)
    UNIQUE KEY uq_dim_employee_version (employee_id, version),
    KEY idx_dim_employee_valid (employee_id, valid_from, valid_to),
    KEY idx_dim_employee_changed (is_current, updated_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Employees with history (SCD type 2), department and title from hr';

INSERT IGNORE INTO dim_employee (employee_key, employee_id, employee_number, full_name, valid_from,
    valid_to, is_current, version, row_hash, updated_at)
VALUES (0, -1, 'UNKNOWN', 'Unknown employee', '1900-01-01', '9999-12-31', 1, 1, '',
    CURRENT_TIMESTAMP(6));
