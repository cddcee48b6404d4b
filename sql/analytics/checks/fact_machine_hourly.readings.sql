-- Sensor readings taken in the window (operations).
SELECT count(*) FROM sensor_readings WHERE reading_ts >= %(start)s AND reading_ts < %(end)s
